// Driver failures as people read them: code STORE (ingest retries it), the database path in the
// message, and a hint specific to the SQLite result code.

import { describe, expect, it } from 'vitest';
import { driverError, storeError } from '../../../../src/adapters/sqlite/driver-errors.js';

const FILE = '/srv/sportello/var/desk.db';
const driver = (code: string, message = `${code}: something`) => Object.assign(new Error(message), { code, errno: 1 });

describe('storeError', () => {
  it.each([
    ['SQLITE_READONLY', ['write permission on /srv/sportello/var/desk.db', 'its directory /srv/sportello/var', 'desk.db-wal', 'desk.db-shm']],
    ['SQLITE_FULL', ['free disk space', '/srv/sportello/var']],
    ['SQLITE_BUSY', ['another process', 'busy timeout']],
    ['SQLITE_LOCKED', ['another process']],
    ['SQLITE_CANTOPEN', ['/srv/sportello/var exists', '--db']],
    ['SQLITE_CORRUPT', ['damaged', 'restore it from a backup', '.recover']],
    ['SQLITE_NOTADB', ['not a Sportello database']],
    ['SQLITE_IOERR', ['I/O error']],
    ['SQLITE_IOERR_WRITE', ['I/O error']],
    ['SQLITE_PERM', ['owner and mode']],
    ['SQLITE_SCHEMA', ['integrity_check']],
  ])('%s: names the file and gives its own fix', (code, hintParts) => {
    const err = storeError(FILE, driver(code, `${code}: the driver said so`));
    expect(err.code).toBe('STORE');
    expect(err.message).toBe(`database operation failed on ${FILE}: ${code}: the driver said so`);
    for (const part of hintParts) expect(err.hint).toContain(part);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('says what was being done and finds the driver error under a wrapper (a failed migration)', () => {
    const wrapped = new Error('Migration 006-writer-lease (up) failed', { cause: driver('SQLITE_FULL', 'SQLITE_FULL: database or disk is full') });
    const err = storeError(FILE, wrapped, 'cannot open the database');
    expect(err.message).toBe(`cannot open the database on ${FILE}: SQLITE_FULL: database or disk is full`);
    expect(err.hint).toContain('free disk space');
  });

  it('only errors with a SQLITE_ code count as driver errors', () => {
    expect(driverError(driver('SQLITE_BUSY'))?.code).toBe('SQLITE_BUSY');
    expect(driverError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeNull();
    expect(driverError('text')).toBeNull();
  });
});
