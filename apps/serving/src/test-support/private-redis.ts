// A redis-server child of the test's own, on a free port, that a test can stop to see the app without Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createRedis } from '@lambda-iot/connections';
import { eventually, testRedisConfig } from '@lambda-iot/testkit';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export class PrivateRedis {
  port = 0;
  private child: ChildProcess | undefined;

  async start(): Promise<void> {
    this.port = await freePort();
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const probe = createRedis(
      { ...testRedisConfig(''), port: this.port },
      { lazyConnect: true, maxRetriesPerRequest: 0 },
    );
    try {
      await eventually(async () => expect(await probe.ping()).toBe('PONG'), { timeoutMs: 10_000 });
    } finally {
      probe.disconnect();
    }
  }

  /** Stops the server and waits until it has exited: every later command to it fails. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
