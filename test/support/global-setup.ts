// Vitest globalSetup for the integration project: installs Debian's chromium for the report test when
// it is missing (scripts/browser.sh, like the mail stack's own packages), brings the local mail stack up
// (installing the Debian packages on a fresh machine) with empty mailboxes, and takes it down afterwards.
// Must never share its stdio with the daemons (NOTES pitfall 3) or leave the stack up unless MAILSTACK_KEEP=1.
import { fileURLToPath } from 'node:url';
import { MAILSTACK } from './mailstack.js';
import { runScript, scriptLifecycle, UP_TIMEOUT_MS, type ScriptSpec } from './run-script.js';

const BROWSER: ScriptSpec = Object.freeze({
  name: 'browser',
  path: fileURLToPath(new URL('../../scripts/browser.sh', import.meta.url)),
  codePrefix: 'BROWSER',
  logsHint: 'the apt-get log named in its output',
});

const stack = scriptLifecycle(MAILSTACK);

export async function setup(): Promise<void> {
  // Idempotent and quick when chromium is there; apt-get on a fresh machine.
  await runScript(BROWSER, ['install'], { timeoutMs: UP_TIMEOUT_MS, echo: true });
  await stack.setup();
}

export const teardown = stack.teardown;
