// Vitest globalSetup for the integration project: brings the local mail stack up (installing the
// Debian packages on a fresh machine) with empty mailboxes, and takes it down afterwards.
// Must never share its stdio with the daemons (NOTES pitfall 3) or leave the stack up unless MAILSTACK_KEEP=1.
import { MAILSTACK } from './mailstack.js';
import { scriptLifecycle } from './run-script.js';

export const { setup, teardown } = scriptLifecycle(MAILSTACK);
