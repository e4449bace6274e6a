// The optional health/metrics listener (node:http, three GET routes): /healthz (the process answers),
// /readyz (200 or 503 with JSON naming each problem) and /metrics (Prometheus text). It decides nothing
// itself — the routes are handed in — and must never listen anywhere but the configured address.

import http from 'node:http';
import { SportelloError } from '../errors.js';
import type { Logger } from '../log.js';

export interface HttpRoutes {
  ready(): Promise<{ readonly ready: boolean; readonly body: unknown }>;
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
}

export interface HttpListener {
  /** e.g. http://127.0.0.1:9464 (the real port when 0 was asked for). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpServer(listen: { readonly host: string; readonly port: number }, routes: HttpRoutes, log: Logger): Promise<HttpListener> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
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
        default:
          return reply(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
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
