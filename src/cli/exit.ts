// Decides how the command-line process ends: only once everything written to stdout and stderr has
// been handed to the pipe, file or terminal. Node writes to a pipe asynchronously once the pipe is full,
// so a bare process.exit() cut `cases list --json | reader` at 64 KiB. Must never hang on a vanished reader.

import type { Writable } from 'node:stream';

type Out = Pick<Writable, 'write' | 'on' | 'destroyed' | 'writableEnded'>;

const brokenPipe = (err: unknown) => (err as { code?: string } | null)?.code === 'EPIPE';

/**
 * A reader that leaves early (`sportello cases list | head`) makes the next write fail with EPIPE.
 * That is the reader's choice, not our failure: nothing more can be delivered, so it is ignored
 * instead of crashing with an unhandled 'error' event. Any other write error still surfaces.
 */
export function tolerateClosedReader(streams: readonly Out[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    s.on('error', (err: unknown) => {
      if (!brokenPipe(err)) throw err;
    });
  }
}

/** Resolves when every chunk written to `stream` before this call has been flushed (or can never be). */
export function flushed(stream: Out): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    // Chunks are written in order, so the callback of an empty write runs after all earlier ones;
    // it also runs (with the error) when the reader has gone.
    stream.write('', () => resolve());
  });
}

/** Flushes stdout and stderr, then exits with `code` (process.exit also ends any handle left open). */
export async function exitWhenFlushed(code: number, streams: readonly Out[] = [process.stdout, process.stderr]): Promise<never> {
  await Promise.all(streams.map(flushed));
  process.exit(code);
}
