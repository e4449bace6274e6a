// What a SQLite driver failure means for the person running Sportello: the file it happened on and
// the fix for its result code (SQLITE_READONLY, _FULL, _BUSY, _CORRUPT…). Always code STORE (ingest
// treats it as transient); must never let a bare driver message out without the database path.

import path from 'node:path';
import { SportelloError } from '../../errors.js';

/** The sqlite3 error in `err` or its cause chain (umzug wraps a failed migration), or null. */
export function driverError(err: unknown): (Error & { code: string }) | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_/.test(code)) return e as Error & { code: string };
  }
  return null;
}

function hintFor(code: string, file: string): string {
  const dir = path.dirname(file);
  switch (code) {
    case 'SQLITE_READONLY':
      return `give the user running sportello write permission on ${file} and on its directory ${dir} (SQLite also writes ${path.basename(file)}-wal and ${path.basename(file)}-shm there), and check the filesystem is not mounted read-only`;
    case 'SQLITE_FULL':
      return `free disk space on the filesystem holding ${dir} (or move the database to a larger one with --db / database); nothing was committed by the failed operation`;
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return `another process kept ${file} locked longer than the 5 s busy timeout (a long backup, a sqlite3 shell with an open transaction?); finish it and retry`;
    case 'SQLITE_CANTOPEN':
      return `check that ${dir} exists and is accessible to the user running sportello, and that --db / database names the right file`;
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return `${file} is damaged or not a Sportello database: check --db / database, or restore it from a backup (sqlite3 ${file} ".recover" salvages what it can)`;
    case 'SQLITE_IOERR':
      return `the disk or filesystem holding ${dir} reported an I/O error: check the kernel log and free space, then retry`;
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return `the operating system denied access to ${file}: check its owner and mode and those of ${dir}`;
    default:
      return `check ${file} with "sqlite3 ${file} 'PRAGMA integrity_check'" and the permissions of ${dir}`;
  }
}

/** Wraps a driver failure as STORE naming the file, the driver code and a fix; `doing` says what failed. */
export function storeError(file: string, cause: unknown, doing = 'database operation failed'): SportelloError {
  const driver = driverError(cause);
  const code = driver?.code ?? 'unknown';
  const detail = (driver ?? (cause as Error))?.message ?? String(cause);
  return new SportelloError('STORE', `${doing} on ${file}: ${detail}`, {
    cause,
    // Extended codes (SQLITE_IOERR_WRITE) share their primary code's fix.
    hint: hintFor(code.split('_').slice(0, 2).join('_'), file),
  });
}
