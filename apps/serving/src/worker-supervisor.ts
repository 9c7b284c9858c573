// The cluster primary: forks SERVING_WORKERS serving processes sharing one port, replaces crashed ones.
import cluster, { type Worker } from 'node:cluster';
import { LifecycleBase, type Logger } from '@lambda-iot/runtime';

export interface WorkerSupervisorOptions {
  workers: number;
  logger: Logger;
  /** How long a worker may take to finish its requests after SIGTERM. */
  closeTimeoutMs?: number;
}

/** Starts once every worker listens; on close each worker gets SIGTERM and closes like a single process does. */
export class WorkerSupervisor extends LifecycleBase {
  private readonly live = new Set<Worker>();
  private stopping = false;

  constructor(private readonly options: WorkerSupervisorOptions) {
    super();
  }

  protected async onStart(): Promise<void> {
    cluster.on('exit', (worker, code, signal) => {
      this.live.delete(worker);
      if (this.stopping) return;
      this.options.logger.error(
        { pid: worker.process.pid, code, signal },
        'serving worker died; replacing it',
      );
      this.fork();
    });
    await Promise.all(
      Array.from({ length: this.options.workers }, () => {
        const worker = this.fork();
        return new Promise<void>((resolve, reject) => {
          worker.once('listening', () => resolve());
          worker.once('exit', (code) =>
            reject(new Error(`serving worker exited with ${code} before listening`)),
          );
        });
      }),
    );
  }

  protected async onClose(): Promise<void> {
    this.stopping = true;
    const exits = [...this.live].map(
      (worker) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => worker.kill('SIGKILL'), this.options.closeTimeoutMs ?? 30_000);
          worker.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          worker.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }

  private fork(): Worker {
    const worker = cluster.fork();
    this.live.add(worker);
    return worker;
  }
}
