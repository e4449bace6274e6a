// How the CLI process ends: flushed() waits for the chunks written before it, also on a stream that
// fails (a reader that left), and tolerateClosedReader() swallows only EPIPE. The real pipes are in
// test/integration/cli-output.test.ts.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { flushed, tolerateClosedReader } from '../../../src/cli/exit.js';

/** A writable whose writes complete only once the test releases it, like a full pipe. */
function slowStream() {
  let held: (() => void) | null = null;
  let open = false;
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const finish = () => {
        written.push(chunk.toString());
        done();
      };
      if (open) finish();
      else held = finish;
    },
  });
  const release = () => {
    open = true;
    held?.();
  };
  return { stream, written, release };
}

describe('flushed', () => {
  it('resolves only after every earlier chunk has been written', async () => {
    const { stream, written, release } = slowStream();
    stream.write('a');
    stream.write('b');
    let done = false;
    const p = flushed(stream).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    expect(written).toEqual([]);
    release();
    await p;
    expect(written.join('')).toBe('ab');
  });

  it('resolves at once for a destroyed stream and when the write fails', async () => {
    const gone = new Writable({ write: (_c, _e, done) => done() });
    gone.destroy();
    await flushed(gone);
    const failing = new Writable({ write: (_c, _e, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    failing.on('error', () => undefined);
    await flushed(failing);
  });
});

describe('tolerateClosedReader', () => {
  it('ignores EPIPE and rethrows any other write error', () => {
    const out = new EventEmitter() as unknown as Writable;
    tolerateClosedReader([out]);
    expect(() => (out as unknown as EventEmitter).emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).not.toThrow();
    expect(() => (out as unknown as EventEmitter).emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow('disk full');
  });
});
