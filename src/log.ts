// Structured logs (pino) to stderr, so stdout stays for command output such as --json.
// Human-readable on a terminal, JSON lines otherwise (the journal under systemd); both stamped in
// ISO 8601 UTC, so lines from several hosts and tools sort and compare. Bodies and raw mail are never logged.

import { createRequire } from 'node:module';
import pino from 'pino';

// pino-pretty (and its formatting stack) is loaded only for a terminal: a daemon under systemd writes JSON
// lines and never needs it. createRequire keeps createLogger synchronous.
const loadPretty = (): typeof import('pino-pretty') => createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LogOptions {
  readonly level?: string;
  /** Force pretty (true) or JSON (false); default: pretty when stderr is a terminal. */
  readonly pretty?: boolean;
  /** Where lines go; default stderr (fd 2). Tests pass a stream to read them back. */
  readonly destination?: NodeJS.WritableStream;
}

/** pino-pretty's spelling of the same ISO 8601 UTC instant the JSON lines carry. */
const PRETTY_TIME = "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'";

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? process.env.SPORTELLO_LOG_LEVEL ?? 'info';
  const usePretty = opts.pretty ?? Boolean(process.stderr.isTTY);
  const base = { level, base: undefined, redact: ['text', 'html', 'raw', '*.password'], timestamp: pino.stdTimeFunctions.isoTime };
  if (usePretty) {
    const colorize = !opts.destination && Boolean(process.stderr.isTTY);
    return pino(base, loadPretty()({ destination: opts.destination ?? 2, sync: true, colorize, ignore: 'pid,hostname', translateTime: PRETTY_TIME }));
  }
  return pino(base, opts.destination ?? pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything (tests, --quiet). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
