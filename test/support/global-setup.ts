// Vitest globalSetup for the integration project: brings the local mail stack up (installing the
// Debian packages on a fresh machine) with empty mailboxes, and takes it down afterwards.
// Must never share its stdio with the daemons (NOTES pitfall 3) or leave the stack up unless MAILSTACK_KEEP=1.
import { runMailstack } from './mailstack.js';

// First `up` on a fresh machine runs apt-get update + install (~25 s measured, minutes on a slow mirror).
const UP_TIMEOUT_MS = 600_000;
const STEP_TIMEOUT_MS = 120_000;

export async function setup(): Promise<void> {
  await runMailstack(['up'], { timeoutMs: UP_TIMEOUT_MS, echo: true });
  await runMailstack(['reset'], { timeoutMs: STEP_TIMEOUT_MS, echo: true });
}

export async function teardown(): Promise<void> {
  if (process.env.MAILSTACK_KEEP === '1') {
    process.stderr.write('mailstack: MAILSTACK_KEEP=1, leaving the stack up\n');
    return;
  }
  await runMailstack(['down'], { timeoutMs: STEP_TIMEOUT_MS, echo: true });
}
