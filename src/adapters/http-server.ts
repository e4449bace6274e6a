// The optional health/metrics listener (node:http, four GET routes): /healthz (the process answers),
// /readyz (200 or 503 with JSON naming each problem), /metrics (Prometheus text) and /report (the
// service report as one self-contained HTML page; ?since=DAYS&desk=ID). It decides nothing
// itself — the routes are handed in — and must never listen anywhere but the configured address.

import http from 'node:http';
import { SportelloError } from '../errors.js';
import type { Logger } from '../log.js';

export interface HttpRoutes {
  ready(): Promise<{ readonly ready: boolean; readonly body: unknown }>;
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  /** The report page; the query's `since` (days) and `desk` are passed on as given. */
  report?(query: { readonly since: string | null; readonly desk: string | null }): Promise<{ readonly status: number; readonly body: string }>;
}

export interface HttpListener {
  /** e.g. http://127.0.0.1:9464 (the real port when 0 was asked for). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpServer(listen: { readonly host: string; readonly port: number }, routes: HttpRoutes, log: Logger): Promise<HttpListener> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://listener');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const reply = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const handle = async () => {
      switch (path) {
        case '/healthz':
          return reply(200, 'application/json', '{"ok":true}\n');
        case '/readyz': {
          const r = await routes.ready();
          return reply(r.ready ? 200 : 503, 'application/json', `${JSON.stringify(r.body)}\n`);
        }
        case '/metrics': {
          const m = await routes.metrics();
          return reply(200, m.contentType, m.body);
        }
        case '/report': {
          if (!routes.report) return reply(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
          const r = await routes.report({ since: url.searchParams.get('since'), desk: url.searchParams.get('desk') });
          return reply(r.status, r.status === 200 ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', r.body);
        }
        default:
          return reply(404, 'text/plain', 'not found: try /healthz, /readyz, /metrics or /report\n');
      }
    };
    handle().catch((err: unknown) => {
      log.warn({ path, err: (err as Error).message }, 'health endpoint failed');
      if (!res.headersSent) reply(500, 'text/plain', `${(err as Error).message}\n`);
      else res.end();
    });
  });
  // Scrapers keep connections alive; they must not hold shutdown up.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${listen.host}:${listen.port}`;
      const why = err.code === 'EADDRINUSE' ? 'the port is already in use (another sportello run?)' : err.code === 'EADDRNOTAVAIL' ? 'no local interface has that address' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : err.message;
      reject(
        new SportelloError('HTTP_LISTEN', `cannot listen on ${where} (http.listen): ${why}`, {
          cause: err,
          context: { host: listen.host, port: listen.port, code: err.code ?? null },
          hint: 'set http.listen to a free port such as "127.0.0.1:9464", or remove it to run without the endpoints',
        }),
      );
    });
    server.listen(listen.port, listen.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
