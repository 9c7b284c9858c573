// The dashboard and API docs pages, and uPlot from node_modules: static, public, loaded once at start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

interface StaticFile {
  path: string;
  file: string;
  type: string;
}

const PUBLIC_DIR = join(__dirname, '..', '..', 'public');
const UPLOT_DIR = join(require.resolve('uplot'), '..');

const FILES: readonly StaticFile[] = [
  { path: '/', file: join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  { path: '/dashboard.js', file: join(PUBLIC_DIR, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  { path: '/api-client.js', file: join(PUBLIC_DIR, 'api-client.js'), type: 'text/javascript; charset=utf-8' },
  { path: '/docs', file: join(PUBLIC_DIR, 'docs.html'), type: 'text/html; charset=utf-8' },
  { path: '/docs.js', file: join(PUBLIC_DIR, 'docs.js'), type: 'text/javascript; charset=utf-8' },
  {
    path: '/vendor/uPlot.esm.js',
    file: join(UPLOT_DIR, 'uPlot.esm.js'),
    type: 'text/javascript; charset=utf-8',
  },
  { path: '/vendor/uPlot.min.css', file: join(UPLOT_DIR, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
];

/**
 * Public so a browser can load the pages; every API call they make carries the bearer token, which the
 * page takes from `?token=` or asks for (kept in sessionStorage).
 */
export function registerStaticRoutes(app: FastifyInstance): void {
  for (const f of FILES) {
    const body = readFileSync(f.file);
    app.get(f.path, { schema: { hide: true }, config: { public: true } }, async (_request, reply) =>
      reply.type(f.type).header('cache-control', 'no-cache').send(body),
    );
  }
}
