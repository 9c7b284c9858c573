// The topics of the pipeline and their idempotent creation, waiting for leaders so first writes succeed.
import type { Admin, ITopicConfig } from 'kafkajs';
import { KafkaError } from './errors';

export const TOPICS = {
  readings: 'readings',
  deadLetter: 'readings.dlq',
  alerts: 'alerts',
} as const;

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor?: number;
  /** Broker-side topic configuration, e.g. `{ 'retention.ms': '604800000' }`. */
  config?: Record<string, string>;
}

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Existing topics that have fewer partitions than asked; partitions are never added silently. */
  underPartitioned: Array<{ topic: string; have: number; want: number }>;
}

/** Creates missing topics and reports existing ones; safe to call from every app at start-up. */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  timeoutMs = 30_000,
): Promise<EnsureTopicsResult> {
  try {
    const existingNames = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existingNames.has(s.topic));
    if (missing.length > 0) {
      const topics: ITopicConfig[] = missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.numPartitions,
        replicationFactor: s.replicationFactor ?? 1,
        configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
      }));
      await admin.createTopics({ topics, waitForLeaders: true, timeout: timeoutMs });
    }
    const present = specs.filter((s) => existingNames.has(s.topic));
    const underPartitioned: EnsureTopicsResult['underPartitioned'] = [];
    if (present.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
      for (const t of meta.topics) {
        const want = specs.find((s) => s.topic === t.name)?.numPartitions ?? 0;
        if (t.partitions.length < want)
          underPartitioned.push({ topic: t.name, have: t.partitions.length, want });
      }
    }
    return { created: missing.map((s) => s.topic), existing: present.map((s) => s.topic), underPartitioned };
  } catch (err) {
    throw KafkaError.from(err, `ensuring topics ${specs.map((s) => s.topic).join(', ')}`);
  }
}

/** The standard pipeline topics with the given partition count for `readings` (and the same for the DLQ). */
export function pipelineTopics(partitions: number, prefix = ''): TopicSpec[] {
  return [
    { topic: prefix + TOPICS.readings, numPartitions: partitions },
    { topic: prefix + TOPICS.deadLetter, numPartitions: Math.max(1, Math.min(partitions, 3)) },
  ];
}
