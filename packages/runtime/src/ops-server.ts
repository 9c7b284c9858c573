// The small HTTP server every app exposes for operators: GET /healthz (JSON) and GET /metrics (Prometheus).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { summarizeHealth, type HealthCheck } from './health';
import { LifecycleBase } from './lifecycle';
import type { Logger } from './logger';

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port (tests); read the chosen one from `address`. */
  port: number;
  registry: Registry;
  checks: readonly HealthCheck[];
  logger: Logger;
}

export class OpsServer extends LifecycleBase {
  private server: Server | undefined;

  constructor(private readonly options: OpsServerOptions) {
    super();
  }

  /** The bound address, once started. */
  get address(): { host: string; port: number } {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error('OpsServer is not listening');
    return { host: addr.address, port: addr.port };
  }

  protected async onStart(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.options.logger.error({ err }, 'ops request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal' }));
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.options.logger.info({ ...this.address }, 'ops server listening');
  }

  protected async onClose(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'method_not_allowed' }));
      return;
    }
    if (path === '/healthz') {
      const summary = await summarizeHealth(this.options.checks);
      res.writeHead(summary.status === 'down' ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(summary));
      return;
    }
    if (path === '/metrics') {
      const body = await this.options.registry.metrics();
      res.writeHead(200, { 'content-type': this.options.registry.contentType });
      res.end(body);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not_found', routes: ['/healthz', '/metrics'] }));
  }
}
