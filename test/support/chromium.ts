// Drives Debian's headless Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
// messages separated by NUL on fds 3 and 4), so no WebSocket client, npm browser or download is needed.
// Loads one page, records console errors and uncaught exceptions, evaluates expressions and takes a
// screenshot. Must never touch the network: the flags turn off every background service.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumInstalled = (): boolean => existsSync(CHROMIUM);

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };

export interface PageRun {
  /** console.error calls, uncaught exceptions and error-level log entries, as text. */
  readonly errors: string[];
  evaluate<T>(expression: string): Promise<T>;
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openPage(url: string, opts: { width?: number; height?: number; dark?: boolean } = {}): Promise<PageRun> {
  const profile = mkdtempSync(path.join(tmpdir(), 'sportello-chromium-'));
  const proc: ChildProcess = spawn(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-extensions', '--hide-scrollbars', `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const toBrowser = proc.stdio[3] as Writable;
  const fromBrowser = proc.stdio[4] as Readable;
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()).length > 20_000 && (stderr = stderr.slice(-10_000)));
  const pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  const listeners: ((m: Message) => void)[] = [];
  let buffer = '';
  fromBrowser.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nul: number;
    while ((nul = buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, nul)) as Message;
      buffer = buffer.slice(nul + 1);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const p = pending.get(msg.id)!;
        pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${msg.error.message}`));
        else p.resolve(msg);
      } else for (const l of listeners) l(msg);
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('exit', () => {
    for (const p of pending.values()) p.reject(new Error(`chromium exited: ${stderr.slice(-2000)}`));
    pending.clear();
  });
  let next = 1;
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Message> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const waitFor = (method: string, sessionId: string): Promise<Message> =>
    new Promise((resolve) => {
      const l = (m: Message) => {
        if (m.method === method && m.sessionId === sessionId) {
          listeners.splice(listeners.indexOf(l), 1);
          resolve(m);
        }
      };
      listeners.push(l);
    });

  const errors: string[] = [];
  const close = async () => {
    await send('Browser.close').catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const target = await send('Target.createTarget', { url: 'about:blank' });
    const attached = await send('Target.attachToTarget', { targetId: target.result!.targetId, flatten: true });
    const session = String(attached.result!.sessionId);
    listeners.push((m) => {
      if (m.sessionId !== session) return;
      if (m.method === 'Runtime.consoleAPICalled' && m.params!.type === 'error') errors.push(`console.error: ${JSON.stringify((m.params!.args as { value?: unknown }[]).map((a) => a.value))}`);
      if (m.method === 'Runtime.exceptionThrown') errors.push(`exception: ${JSON.stringify(m.params!.exceptionDetails)}`);
      if (m.method === 'Log.entryAdded' && (m.params!.entry as { level: string }).level === 'error') errors.push(`log: ${(m.params!.entry as { text: string; url?: string }).text} ${(m.params!.entry as { url?: string }).url ?? ''}`);
    });
    await send('Page.enable', {}, session);
    await send('Runtime.enable', {}, session);
    await send('Log.enable', {}, session);
    await send('Emulation.setDeviceMetricsOverride', { width: opts.width ?? 1280, height: opts.height ?? 900, deviceScaleFactor: 1, mobile: false }, session);
    await send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: opts.dark ? 'dark' : 'light' }] }, session);
    const loaded = waitFor('Page.loadEventFired', session);
    const nav = await send('Page.navigate', { url }, session);
    if (nav.result?.errorText) throw new Error(`navigation to ${url} failed: ${String(nav.result.errorText)}`);
    await loaded;
    return {
      errors,
      async evaluate<T>(expression: string): Promise<T> {
        const r = await send('Runtime.evaluate', { expression, returnByValue: true }, session);
        if (r.result!.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.result!.exceptionDetails)}`);
        return (r.result!.result as { value: T }).value;
      },
      async screenshot(): Promise<Buffer> {
        const r = await send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, session);
        return Buffer.from(String(r.result!.data), 'base64');
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
