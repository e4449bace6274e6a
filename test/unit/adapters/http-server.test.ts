// The health listener on a real loopback socket (port 0): the three routes, 503 with the problems as
// JSON, 404/405 for anything else, and a port already in use reported as HTTP_LISTEN naming the key.

import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpListener } from '../../../src/adapters/http-server.js';
import { isSportelloError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';

let open: HttpListener[] = [];
afterEach(async () => {
  await Promise.all(open.map((l) => l.close()));
  open = [];
});

async function start(ready: boolean) {
  const listener = await startHttpServer(
    { host: '127.0.0.1', port: 0 },
    {
      ready: async () => ({ ready, body: { ready, problems: ready ? [] : [{ desk: 'HR', component: 'desk', code: 'IMAP_AUTH', message: 'rejected' }] } }),
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'sportello_ready 1\n' }),
    },
    silentLogger(),
  );
  open.push(listener);
  return listener;
}

describe('startHttpServer', () => {
  it('serves /healthz, /readyz and /metrics', async () => {
    const { url } = await start(true);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
    const ready = await fetch(`${url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { ready: true, problems: [] }]);
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await metrics.text()).toBe('sportello_ready 1\n');
  });

  it('answers 503 with the problems when not ready, 404 and 405 otherwise', async () => {
    const { url } = await start(false);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, problems: [{ desk: 'HR', component: 'desk', code: 'IMAP_AUTH', message: 'rejected' }] });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/readyz`, { method: 'POST' })).status).toBe(405);
  });

  it('reports a port in use as HTTP_LISTEN naming http.listen and the port', async () => {
    const first = await start(true);
    const port = Number(new URL(first.url).port);
    const err = await startHttpServer({ host: '127.0.0.1', port }, { ready: async () => ({ ready: true, body: {} }), metrics: async () => ({ contentType: 'text/plain', body: '' }) }, silentLogger()).catch((e: unknown) => e);
    expect(isSportelloError(err, 'HTTP_LISTEN')).toBe(true);
    expect((err as Error).message).toBe(`cannot listen on 127.0.0.1:${port} (http.listen): the port is already in use (another sportello run?)`);
  });
});

describe('/report', () => {
  it('serves the page the route renders, with the query passed on; 404 without a report route', async () => {
    const seen: unknown[] = [];
    const listener = await startHttpServer(
      { host: '127.0.0.1', port: 0 },
      {
        ready: async () => ({ ready: true, body: {} }),
        metrics: async () => ({ contentType: 'text/plain', body: '' }),
        report: async (query) => (seen.push(query), query.since === 'x' ? { status: 400, body: 'bad since\n' } : { status: 200, body: '<!doctype html><p>report</p>' }),
      },
      silentLogger(),
    );
    open.push(listener);
    const ok = await fetch(`${listener.url}/report?since=30&desk=IT`);
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'text/html; charset=utf-8', '<!doctype html><p>report</p>']);
    const bad = await fetch(`${listener.url}/report?since=x`);
    expect([bad.status, await bad.text()]).toEqual([400, 'bad since\n']);
    expect(seen).toEqual([{ since: '30', desk: 'IT' }, { since: 'x', desk: null }]);
    const plain = await start(true);
    expect((await fetch(`${plain.url}/report`)).status).toBe(404);
  });
});
