import { ManualClock } from '@lambda-iot/core';
import { InFlightLimit } from './in-flight-limit';
import { SendPacer } from './send-pacer';

describe('SendPacer', () => {
  it('waits until the wall clock reaches the simulated send time, scaled by speed', async () => {
    const clock = new ManualClock(1_000);
    const waits: number[] = [];
    const pacer = new SendPacer({
      clock,
      simStart: 50_000,
      speed: 2,
      sleep: async (ms) => {
        waits.push(ms);
        clock.advance(ms);
      },
    });
    await pacer.wait(50_000);
    await pacer.wait(52_000);
    await pacer.wait(51_000);
    expect(waits).toEqual([1_000]);
  });

  it('never waits in fast mode', async () => {
    const waits: number[] = [];
    const pacer = new SendPacer({
      clock: new ManualClock(0),
      simStart: 0,
      fast: true,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    await pacer.wait(1e9);
    expect(waits).toEqual([]);
  });
});

describe('InFlightLimit', () => {
  it('starts no more than the limit at once and reports the first failure on drain', async () => {
    const limit = new InFlightLimit(2);
    const releases: Array<() => void> = [];
    let started = 0;
    const task = () =>
      new Promise<void>((resolve) => {
        started++;
        releases.push(resolve);
      });
    await limit.run(1, task);
    await limit.run(1, task);
    const third = limit.run(1, task);
    await Promise.resolve();
    expect(started).toBe(2);
    releases[0]!();
    await third;
    expect(started).toBe(3);
    releases[1]!();
    releases[2]!();
    await limit.run(1, () => Promise.reject(new Error('boom')));
    await expect(limit.drain()).rejects.toThrow('boom');
    await expect(limit.drain()).resolves.toBeUndefined();
  });
});
