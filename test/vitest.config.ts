// Three projects: fast pure unit tests (parallel); integration tests that share one real Dovecot +
// Postfix stack (scripts/mailstack.sh), so they run one file at a time; and postgres tests against a
// private PostgreSQL (scripts/pgstack.sh), each file in a database of its own. A project's globalSetup
// runs only when one of its files is selected, so `--project unit` starts no server.
// The root globalSetup runs once per run and prints one line for tests skipped for want of the corpora.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  test: {
    globalSetup: [fileURLToPath(new URL('./support/corpora-report.ts', import.meta.url))],
    projects: [
      {
        root,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // A ceiling for a busy 2-core machine (classifier training, calendar warm-up), not a speed check.
          testTimeout: 30_000,
        },
      },
      {
        root,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        root,
        test: {
          name: 'postgres',
          include: ['test/postgres/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/pg-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
