// `database:` names a SQLite file (the default) or a PostgreSQL URL: the URL is taken as written with its
// ${VAR} secrets expanded (never resolved as a path), a file stays relative to the config, and whatever
// prints the database hides the URL's password.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { isPostgresUrl, redactDatabase } from '../../../src/config/database.js';
import { REPO_ROOT, testConfigYaml } from '../../support/fakes.js';
import { modelCacheDir } from '../../../src/routing/router.js';

const FILE = path.join(REPO_ROOT, 'sportello.yml');

describe('database: a SQLite path or a PostgreSQL URL', () => {
  it.each([
    ['postgres://u:p@db:5432/sportello', true],
    ['postgresql://db/sportello', true],
    ['POSTGRES://db/x', true],
    ['var/sportello.db', false],
    ['/srv/postgres/sportello.db', false],
    [':memory:', false],
  ])('%s is a URL: %s', (db, url) => {
    expect(isPostgresUrl(db)).toBe(url);
  });

  it('keeps a URL as written, with its ${VAR} password expanded; a file is resolved next to the config', () => {
    const yaml = testConfigYaml('postgres://sportello:${PGPASS}@db.example:5432/desk');
    expect(parseConfig(yaml, { file: FILE, env: { PGPASS: 's3cr/t' } }).database).toBe('postgres://sportello:s3cr/t@db.example:5432/desk');
    expect(parseConfig(testConfigYaml('var/x.db'), { file: FILE, env: {} }).database).toBe(path.join(REPO_ROOT, 'var', 'x.db'));
  });

  it('prints a URL without its password, and a path as it is', () => {
    expect(redactDatabase('postgres://sportello:secret@db:5432/desk')).toBe('postgres://sportello:***@db:5432/desk');
    expect(redactDatabase('postgresql://db/desk')).toBe('postgresql://db/desk');
    expect(redactDatabase('/var/lib/sportello.db')).toBe('/var/lib/sportello.db');
    expect(redactDatabase('postgres://u:p w@[bad/x')).not.toContain('p w');
  });
});

describe('the classifier cache with a PostgreSQL database', () => {
  it('goes under the working directory, never into a directory named after the URL', () => {
    const url = testConfigYaml('postgres://sportello:pw@db.example/desk');
    expect(modelCacheDir(parseConfig(url, { file: FILE, env: {} }))).toBe(path.resolve('var', 'cache'));
    expect(modelCacheDir(parseConfig(testConfigYaml('var/x.db'), { file: FILE, env: {} }))).toBe(path.join(REPO_ROOT, 'var', 'cache'));
  });
});
