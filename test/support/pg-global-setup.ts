// Vitest globalSetup for the postgres project: brings the private PostgreSQL up (installing Debian's
// package on a fresh machine) with an empty test database, and takes it down afterwards.
// Must never share its stdio with the server or leave it running unless PGSTACK_KEEP=1.
import { PGSTACK } from './pgstack.js';
import { scriptLifecycle } from './run-script.js';

export const { setup, teardown } = scriptLifecycle(PGSTACK);
