// The serving app as a Lifecycle: listen on start; on close stop accepting, finish requests, close the views.
import { LifecycleBase } from '@lambda-iot/runtime';
import type { FastifyInstance } from 'fastify';

export interface ServingServerOptions {
  app: FastifyInstance;
  host: string;
  port: number;
  /** Releases what the app reads from, after the last request finished. */
  closeViews(): Promise<void>;
}

export class ServingServer extends LifecycleBase {
  constructor(private readonly options: ServingServerOptions) {
    super();
  }

  /** The bound address, e.g. for a port chosen by the OS (port 0). */
  address(): string {
    const addr = this.options.app.server.address();
    return typeof addr === 'object' && addr !== null ? `http://${addr.address}:${addr.port}` : String(addr);
  }

  protected async onStart(): Promise<void> {
    await this.options.app.listen({ host: this.options.host, port: this.options.port });
  }

  protected async onClose(): Promise<void> {
    await this.options.app.close();
    await this.options.closeViews();
  }
}
