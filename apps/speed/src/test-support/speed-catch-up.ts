// Waits until a speed app has consumed everything produced and its alerts are all on the topic.
import { RedisAlertStore } from '@lambda-iot/anomaly';
import { partitionStatusKey, type PartitionStatus } from '@lambda-iot/speed-layer';
import { eventually } from '@lambda-iot/testkit';
import type { AlertCollector } from './alert-collector';
import type { SpeedStack } from './speed-stack';

/**
 * Resolves once every partition's watermark, as the app publishes it in its partition status, has reached the one
 * the last readings give it (`watermarks`, by partition), and the collector holds every alert in the state the
 * app's hot alert store has it (the publisher writes the topic and the stores together: a store ahead of the
 * collector means events still on their way). The status can show the last watermark a flush interval before the
 * windows it completes are scored: only alerts on the last minutes of the stream could still come after this.
 */
export async function speedCaughtUp(
  stack: SpeedStack,
  collector: AlertCollector,
  watermarks: ReadonlyMap<number, number>,
  timeoutMs: number,
): Promise<void> {
  const hot = new RedisAlertStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix });
  await eventually(
    async () => {
      const status = await stack.redis.hgetall(partitionStatusKey(stack.redisConfig.keyPrefix));
      for (const [partition, watermark] of watermarks) {
        const field = status[String(partition)];
        const published = field === undefined ? null : (JSON.parse(field) as PartitionStatus).watermark;
        expect({ partition, watermark: published }).toEqual({ partition, watermark });
      }
      const stored = await hot.query({ from: 0, to: Number.MAX_SAFE_INTEGER, state: 'all' });
      expect(collector.states()).toEqual(new Map(stored.map((e) => [e.id, e.state])));
    },
    { timeoutMs, intervalMs: 500 },
  );
}
