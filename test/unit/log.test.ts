// Log lines carry ISO 8601 UTC timestamps, in JSON (the journal, files) and in the human-readable form
// (a terminal), and never the mail's body. Lines are read back from a stream, waited for by event.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A stream that hands over the first line written to it. */
function firstLine(): { stream: Writable; line: Promise<string> } {
  let resolve!: (s: string) => void;
  const line = new Promise<string>((r) => (resolve = r));
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      resolve(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, line };
}

describe('createLogger', () => {
  it('writes JSON lines with an ISO 8601 UTC "time" and no body', async () => {
    const { stream, line } = firstLine();
    createLogger({ pretty: false, destination: stream }).info({ desk: 'IT', text: 'secret body' }, 'case opened');
    const entry = JSON.parse(await line) as Record<string, unknown>;
    expect(entry.time).toMatch(ISO_UTC);
    expect(entry).toMatchObject({ level: 30, desk: 'IT', msg: 'case opened', text: '[Redacted]' });
  });

  it('starts human-readable lines with the same ISO 8601 UTC instant', async () => {
    const { stream, line } = firstLine();
    createLogger({ pretty: true, destination: stream }).warn({ desk: 'HR' }, 'IMAP reconnecting');
    const text = await line;
    const stamp = /^\[([^\]]+)\] WARN: IMAP reconnecting/.exec(text)?.[1];
    expect(stamp).toMatch(ISO_UTC);
    expect(text).toContain('desk: "HR"');
  });
});
