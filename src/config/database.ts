// Which store `database:` names: a postgres:// or postgresql:// URL opts in to PostgreSQL, anything
// else is a SQLite file path (the default; nothing changes for an install that does not opt in).
// Must never let a password out: everything that prints the database prints redactDatabase().

/** True for a PostgreSQL connection URL (postgres:// or postgresql://, any case). */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database.trim());
}

/** The database as it may be printed or logged: a URL's password becomes "***". */
export function redactDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database;
  try {
    const u = new URL(database);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Unparsable: hide everything between "://" and "@".
    return database.replace(/\/\/[^@/]*@/, '//***@');
  }
}
