// Keeps the current baseline in memory and hot-reloads it when the published pointer changes (polled).
import { sleep } from '@lambda-iot/core';
import type { BaselineModel } from './baseline-model';
import type { BaselineStore } from './baseline-store';

export interface BaselineWatcherOptions {
  store: BaselineStore;
  /** Poll interval of the pointer. */
  intervalMs: number;
  onLoaded?: (model: BaselineModel) => void;
  /** A failed poll or load: reported, the previous model stays in use, the next poll tries again. */
  onError?: (err: unknown) => void;
}

/**
 * A failed load keeps the model in use and retries at the next poll, so a half-published or unreadable version
 * never leaves the speed layer without a baseline it already had.
 */
export class BaselineWatcher {
  private model: BaselineModel | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: BaselineWatcherOptions) {}

  current(): BaselineModel | undefined {
    return this.model;
  }

  /** Loads the current version (if any) once, then keeps polling in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    await this.poll();
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** One poll: loads the pointed-to version if it differs from the one in use. Exposed for tests and the CLI. */
  async poll(): Promise<void> {
    try {
      const version = await this.options.store.currentVersion();
      if (version === undefined || version === this.model?.version) return;
      const model = await this.options.store.load(version);
      this.model = model;
      this.options.onLoaded?.(model);
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await sleep(this.options.intervalMs, this.abort.signal);
      } catch {
        return;
      }
      await this.poll();
    }
  }
}
