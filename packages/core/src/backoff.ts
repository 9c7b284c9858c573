// Exponential backoff with jitter, and a retry loop that retries only errors marked retriable.
import { isRetriable } from './errors';

export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** Cap on any single delay. */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Fraction 0..1 of each delay that is randomised, so many clients recovering together do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  initialMs: 100,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
});

/**
 * Delay before retry number `attempt` (1 = the first retry): initialMs·factor^(attempt-1), capped at maxMs,
 * then reduced by up to `jitter` of itself. Jitter only shortens, so maxMs stays a true upper bound.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, exponent));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy?: BackoffPolicy;
  /** Attempts in total, the first included. Default 5; pass Infinity to retry until aborted. */
  maxAttempts?: number;
  signal?: AbortSignal;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Injected by tests so no real timer runs. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Which errors to retry; `isRetriable` by default. */
  shouldRetry?: (err: unknown) => boolean;
  random?: () => number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Calls `fn(attempt)` (attempt counts from 1) until it resolves. A rejection is retried after a backoff
 * delay only if `shouldRetry` accepts it and attempts remain; otherwise it is rethrown as is. An abort
 * stops the loop: before an attempt or during a delay it rejects with the signal's reason.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const shouldRetry = options.shouldRetry ?? isRetriable;
  const wait = options.sleep ?? sleep;
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= maxAttempts || !shouldRetry(err)) throw err;
      signal?.throwIfAborted();
      const delayMs = backoffDelay(policy, attempt, options.random);
      options.onRetry?.(err, attempt, delayMs);
      await wait(delayMs, signal);
    }
  }
}
