import {
  backoffDelay,
  DEFAULT_BACKOFF,
  DEFAULT_MAX_ATTEMPTS,
  retry,
  sleep,
  type BackoffPolicy,
} from './backoff';
import { LambdaIotError, ValidationError } from './errors';

const noJitter: BackoffPolicy = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 };

function transient(n: number): LambdaIotError {
  return new LambdaIotError(`transient ${n}`, { code: 'unavailable', retriable: true });
}

/** Records requested delays instead of waiting. */
function fakeSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: (ms) => {
      delays.push(ms);
      return Promise.resolve();
    },
  };
}

/** Fails with the given errors in turn, then resolves with 'ok'. */
function failing(errors: unknown[]): jest.Mock<Promise<string>, [number]> {
  let calls = 0;
  return jest.fn((_attempt: number) => {
    const err = errors[calls++];
    return err === undefined ? Promise.resolve('ok') : Promise.reject(err);
  });
}

describe('backoffDelay', () => {
  it('grows by factor from initialMs and caps at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((a) => backoffDelay(noJitter, a))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });

  it('never overflows for huge attempt numbers', () => {
    expect(backoffDelay(noJitter, 10_000)).toBe(1000);
  });

  it('treats attempt 0 or below as the first retry', () => {
    expect(backoffDelay(noJitter, 0)).toBe(100);
  });

  it('jitter only shortens a delay, by at most its fraction', () => {
    const policy = { ...noJitter, jitter: 0.5 };
    expect(backoffDelay(policy, 1, () => 0)).toBe(100);
    expect(backoffDelay(policy, 1, () => 0.999_999)).toBe(50);
    expect(backoffDelay(policy, 10, () => 0.5)).toBe(750);
  });

  it('defaults to sensible values', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 });
    for (let attempt = 1; attempt < 30; attempt++) {
      const delay = backoffDelay(DEFAULT_BACKOFF, attempt);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    }
  });
});

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const { sleep: s, delays } = fakeSleep();
    await expect(retry(() => Promise.resolve(7), { sleep: s })).resolves.toBe(7);
    expect(delays).toEqual([]);
  });

  it('retries retriable errors with growing delays, passing the attempt number', async () => {
    const { sleep: s, delays } = fakeSleep();
    const fn = failing([transient(1), transient(2), transient(3)]);
    const onRetry = jest.fn();
    await expect(retry(fn, { policy: noJitter, sleep: s, onRetry })).resolves.toBe('ok');
    expect(fn.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3, 4]);
    expect(delays).toEqual([100, 200, 400]);
    expect(
      onRetry.mock.calls.map(([err, attempt, delay]) => [(err as Error).message, attempt, delay]),
    ).toEqual([
      ['transient 1', 1, 100],
      ['transient 2', 2, 200],
      ['transient 3', 3, 400],
    ]);
  });

  it('rethrows a non-retriable error at once', async () => {
    const { sleep: s, delays } = fakeSleep();
    const bad = new ValidationError('bad input');
    const fn = failing([bad]);
    await expect(retry(fn, { sleep: s })).rejects.toBe(bad);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(delays).toEqual([]);
  });

  it('rethrows plain errors at once: only errors marked retriable are retried', async () => {
    const { sleep: s } = fakeSleep();
    const fn = failing([transient(1), new Error('bug')]);
    await expect(retry(fn, { sleep: s })).rejects.toThrow('bug');
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { sleep: s, delays } = fakeSleep();
    const fn = failing([transient(1), transient(2), transient(3), transient(4)]);
    await expect(retry(fn, { sleep: s, maxAttempts: 3, policy: noJitter })).rejects.toThrow('transient 3');
    expect(fn).toHaveBeenCalledTimes(3);
    expect(delays).toEqual([100, 200]);
  });

  it(`makes ${DEFAULT_MAX_ATTEMPTS} attempts by default`, async () => {
    const { sleep: s } = fakeSleep();
    const fn = failing(Array.from({ length: 10 }, (_, i) => transient(i)));
    await expect(retry(fn, { sleep: s })).rejects.toThrow(`transient ${DEFAULT_MAX_ATTEMPTS - 1}`);
    expect(fn).toHaveBeenCalledTimes(DEFAULT_MAX_ATTEMPTS);
  });

  it('caps the delays at maxMs over a long outage', async () => {
    const { sleep: s, delays } = fakeSleep();
    const fn = failing(Array.from({ length: 8 }, (_, i) => transient(i)));
    await retry(fn, { sleep: s, policy: noJitter, maxAttempts: Infinity });
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it('uses a custom shouldRetry when given', async () => {
    const { sleep: s } = fakeSleep();
    const fn = failing([Object.assign(new Error('kafka'), { retriable: true })]);
    const shouldRetry = (err: unknown) => (err as { retriable?: boolean }).retriable === true;
    await expect(retry(fn, { sleep: s, shouldRetry })).resolves.toBe('ok');
  });

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    const fn = jest.fn(() => Promise.resolve(1));
    await expect(retry(fn, { signal: controller.signal })).rejects.toThrow('shutting down');
    expect(fn).not.toHaveBeenCalled();
  });

  it('stops when aborted during a delay, with the abort reason', async () => {
    const controller = new AbortController();
    const fn = jest.fn((_attempt: number) => Promise.reject(transient(1)));
    const abortingSleep = (_ms: number, signal?: AbortSignal): Promise<void> => {
      controller.abort(new Error('shutting down'));
      return Promise.reject(signal?.reason);
    };
    await expect(
      retry(fn, { signal: controller.signal, sleep: abortingSleep, maxAttempts: Infinity }),
    ).rejects.toThrow('shutting down');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops after a delay that ignored the abort, before the next attempt', async () => {
    const controller = new AbortController();
    const fn = jest.fn((_attempt: number) => Promise.reject(transient(1)));
    const deafSleep = (): Promise<void> => {
      controller.abort(new Error('shutting down'));
      return Promise.resolve();
    };
    await expect(
      retry(fn, { signal: controller.signal, sleep: deafSleep, maxAttempts: Infinity }),
    ).rejects.toThrow('shutting down');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('does not retry an attempt that failed because of the abort', async () => {
    const controller = new AbortController();
    const { sleep: s, delays } = fakeSleep();
    const fn = jest.fn((_attempt: number) => {
      controller.abort(new Error('shutting down'));
      return Promise.reject(transient(1));
    });
    await expect(retry(fn, { signal: controller.signal, sleep: s })).rejects.toThrow('shutting down');
    expect(delays).toEqual([]);
  });
});

describe('sleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the delay', async () => {
    let done = false;
    const pending = sleep(1000).then(() => (done = true));
    jest.advanceTimersByTime(999);
    await Promise.resolve();
    expect(done).toBe(false);
    jest.advanceTimersByTime(1);
    await pending;
    expect(done).toBe(true);
  });

  it('rejects at once with the reason when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(sleep(1000, controller.signal)).rejects.toThrow('stop');
  });

  it('rejects as soon as the signal aborts and clears its timer', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops listening to the signal once it has resolved', async () => {
    const controller = new AbortController();
    const pending = sleep(10, controller.signal);
    jest.advanceTimersByTime(10);
    await pending;
    expect(() => controller.abort()).not.toThrow();
  });
});
