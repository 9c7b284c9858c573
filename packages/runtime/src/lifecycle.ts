// The one lifecycle every long-lived part shares: start(), a ready promise, and an idempotent close().
export interface Lifecycle {
  /** Begins work; resolves once the part is ready (the same moment `ready` resolves). */
  start(): Promise<void>;
  /** Resolves when the part is serving; rejects if it failed to start. */
  readonly ready: Promise<void>;
  /** Stops intake, finishes in-flight work, commits, then releases resources. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Gives a class the ready/close bookkeeping of `Lifecycle` so each part writes only its own start and stop:
 * `close()` runs `onClose` once however often it is called, and `ready` settles with the first start.
 */
export abstract class LifecycleBase implements Lifecycle {
  private readonly readyDeferred = deferred<void>();
  private closing: Promise<void> | undefined;
  private starting: Promise<void> | undefined;

  readonly ready: Promise<void> = this.readyDeferred.promise;

  constructor() {
    // A part nobody awaited must not turn a failed start into an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  protected abstract onStart(): Promise<void>;
  protected abstract onClose(): Promise<void>;

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  start(): Promise<void> {
    this.starting ??= this.onStart().then(
      () => this.readyDeferred.resolve(),
      (err: unknown) => {
        this.readyDeferred.reject(err);
        throw err;
      },
    );
    return this.starting;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Let a start in progress settle first so close never races half-opened resources.
      await this.starting?.catch(() => undefined);
      await this.onClose();
    })();
    return this.closing;
  }
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
