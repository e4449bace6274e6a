// Prepared statements kept per SQL text on the store's one connection: a statement used on every mail is
// prepared once instead of on every call (preparing is about a third of a small query's cost). Every kept
// statement is run to completion (all/run), so none holds a read transaction open between calls; `get`
// stays unprepared for queries that may match many rows. Must be closed before the connection is.

import type { Database, Statement } from 'sqlite';
import type { Row } from './rows.js';

/** What the SQLite adapter asks of a connection: the sqlite Database, or these kept statements over it. */
export interface SqlDb {
  get<T = Row>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  all<T = Row[]>(sql: string, ...params: unknown[]): Promise<T>;
  run(sql: string, ...params: unknown[]): Promise<{ lastID?: number; changes?: number }>;
  exec(sql: string): Promise<void>;
}

/** A kept statement's first row: for queries by key or with LIMIT 1 (at most one row, so all() costs nothing more). */
export async function one<T = Row>(db: SqlDb, sql: string, ...params: unknown[]): Promise<T | undefined> {
  if (db instanceof KeptStatements) return ((await db.all<T[]>(sql, ...params)) as T[])[0];
  return db.get<T>(sql, ...params);
}

// Dynamic SQL (IN lists, multi-row VALUES) makes a few variants per shape; the oldest go first past this.
const KEPT = 256;

export class KeptStatements implements SqlDb {
  private readonly kept = new Map<string, Promise<Statement>>();

  constructor(private readonly db: Database) {}

  private statement(sql: string): Promise<Statement> {
    let st = this.kept.get(sql);
    if (st) {
      // Least recently used first out: a hot statement is moved to the back.
      this.kept.delete(sql);
      this.kept.set(sql, st);
      return st;
    }
    st = this.db.prepare(sql);
    // A statement that cannot be prepared (a bad query, a closed connection) is not kept.
    st.catch(() => this.kept.delete(sql));
    this.kept.set(sql, st);
    if (this.kept.size > KEPT) {
      const [oldest, gone] = this.kept.entries().next().value!;
      this.kept.delete(oldest);
      // The store runs one statement at a time, so the oldest is not in use now.
      void gone.then((s) => s.finalize()).catch(() => undefined);
    }
    return st;
  }

  get<T = Row>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    return this.db.get<T>(sql, ...params);
  }

  async all<T = Row[]>(sql: string, ...params: unknown[]): Promise<T> {
    return (await this.statement(sql)).all<T>(...params);
  }

  async run(sql: string, ...params: unknown[]): Promise<{ lastID?: number; changes?: number }> {
    return (await this.statement(sql)).run(...params);
  }

  exec(sql: string): Promise<void> {
    return this.db.exec(sql);
  }

  /** Finalizes every kept statement (the connection refuses to close while one is open). */
  async close(): Promise<void> {
    const all = [...this.kept.values()];
    this.kept.clear();
    await Promise.all(all.map((st) => st.then((s) => s.finalize()).catch(() => undefined)));
  }
}
