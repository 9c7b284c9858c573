// Runs a built app (`apps/<name>/dist/main.js`) as a real child process, so tests can kill it mid-stream.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export interface AppProcessOptions {
  /** The folder under apps/, e.g. 'speed'. */
  app: string;
  env: Record<string, string>;
  /** A URL answering < 500 once the app is ready, usually its /healthz. */
  healthUrl?: string;
  args?: string[];
  repoRoot?: string;
}

/** One app process; `start` can be called again after `kill` to restart it with the same settings. */
export class AppProcess {
  private child: ChildProcess | undefined;
  private output: string[] = [];

  constructor(private readonly options: AppProcessOptions) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process printed, for failure messages. */
  tail(lines = 40): string {
    return this.output.slice(-lines).join('');
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const root = this.options.repoRoot ?? join(__dirname, '..', '..', '..');
    const main = join(root, 'apps', this.options.app, 'dist', 'main.js');
    const child = spawn(process.execPath, [main, ...(this.options.args ?? [])], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
      if (this.output.length > 400) this.output.splice(0, 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    if (this.options.healthUrl) await this.waitHealthy(this.options.healthUrl, timeoutMs);
  }

  /** SIGKILL by default: the crash the pipeline must survive without losing or doubling anything. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  /** Graceful stop: SIGTERM, then SIGKILL if the app does not exit in time. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private async waitHealthy(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.options.app} exited during start:\n${this.tail()}`);
      try {
        const res = await fetch(url);
        if (res.status < 500) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.options.app} not healthy after ${timeoutMs} ms:\n${this.tail()}`);
  }
}
