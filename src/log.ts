// Structured logs (pino) to stderr, so stdout stays for command output such as --json.
// Human-readable on a terminal, JSON lines otherwise. Bodies and raw mail are never logged.

import pino from 'pino';
import pretty from 'pino-pretty';

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
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? process.env.SPORTELLO_LOG_LEVEL ?? 'info';
  const usePretty = opts.pretty ?? Boolean(process.stderr.isTTY);
  const base = { level, base: undefined, redact: ['text', 'html', 'raw', '*.password'] };
  if (usePretty) {
    return pino(base, pretty({ destination: 2, sync: true, colorize: Boolean(process.stderr.isTTY), ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }));
  }
  return pino(base, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything (tests, --quiet). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
