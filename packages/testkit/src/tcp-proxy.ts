// A TCP fault proxy: tests point an app at it instead of a shared server, then take "the server" away and back.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpProxyOptions {
  targetHost?: string;
  targetPort: number;
}

/**
 * Forwards every connection to the target. `pause()` drops every open connection and closes new ones as soon as
 * they arrive (the app sees its connections end, as from a server that went away), until `resume()`. The
 * listening port stays the same throughout, so the app under test reconnects to the same address.
 * (Sockets are destroyed, not reset with `resetAndDestroy`: on Node 20 a process that reset a socket could spin
 * forever while exiting.)
 */
export class TcpProxy {
  private server: Server | undefined;
  /** Each forwarded connection: the app's socket and ours to the target. */
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private paused = false;
  private accepted = 0;

  constructor(private readonly options: TcpProxyOptions) {}

  async start(listenPort = 0): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  get address(): { host: string; port: number } {
    if (!this.server) throw new Error('TcpProxy not started');
    return { host: '127.0.0.1', port: (this.server.address() as AddressInfo).port };
  }

  /** `host:port`, as connection settings take it. */
  get endpoint(): string {
    const { host, port } = this.address;
    return `${host}:${port}`;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Connections forwarded so far (refused ones excluded). */
  get connectionsAccepted(): number {
    return this.accepted;
  }

  /** Drops every open connection and refuses new ones (accepts and closes them at once). */
  pause(): void {
    this.paused = true;
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  resume(): void {
    this.paused = false;
  }

  async close(): Promise<void> {
    this.pause();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.paused) {
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = connect(this.options.targetPort, this.options.targetHost ?? '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.pairs.delete(pair);
        b.destroy();
      });
      a.pipe(b);
    }
  }
}
