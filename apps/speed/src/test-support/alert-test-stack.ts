// A speed stack for alert tests: its topics and stores, a baseline folder, the alerts topic and a consumer of it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { FileBaselineStore } from '@lambda-iot/anomaly';
import { uniqueName } from '@lambda-iot/testkit';
import { openSpeedStack, type SpeedStack } from './speed-stack';

export interface AlertTestStack {
  stack: SpeedStack;
  /** Partitions of the readings topic. */
  partitions: number;
  /** Folder for baseline model files. */
  root: string;
  /** Publishes baselines where the stack's speed app loads them (its Redis key prefix, `root`). */
  baselines: FileBaselineStore;
  alertsTopic: string;
  /** Not yet subscribed or connected. */
  consumer: Consumer;
  cleanup(): Promise<void>;
}

/** With `partitions` readings partitions (each has its own watermark and detector). */
export async function openAlertTestStack(name: string, partitions = 1): Promise<AlertTestStack> {
  const stack = await openSpeedStack(name, partitions);
  const root = await mkdtemp(join(tmpdir(), `speed-${name}-`));
  const alertsTopic = `${stack.topic}.alerts`;
  const consumer = stack.kafka.consumer({ groupId: uniqueName('g_alerts') });
  return {
    stack,
    partitions,
    root,
    baselines: new FileBaselineStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix, root }),
    alertsTopic,
    consumer,
    cleanup: async () => {
      await consumer.disconnect().catch(() => undefined);
      const admin = stack.kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [alertsTopic] }).catch(() => undefined);
      await admin.disconnect();
      await stack.cleanup();
      await rm(root, { recursive: true, force: true });
    },
  };
}
