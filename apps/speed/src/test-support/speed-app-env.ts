// The speed app's environment on an alert test stack: connections, topics, key prefix and baseline folder only.
import { testKafkaConfig } from '@lambda-iot/testkit';
import type { AlertTestStack } from './alert-test-stack';

/**
 * Everything else is the app's default (watermark, lateness, intervals, detector settings, metric rules) unless
 * `extra` says otherwise; the baseline is polled every 200 ms so a test's publication applies at once.
 */
export function speedAppEnv(
  { stack, partitions, root, alertsTopic }: AlertTestStack,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: testKafkaConfig().brokers.join(','),
    REDIS_PORT: String(stack.redisConfig.port),
    REDIS_KEY_PREFIX: stack.redisConfig.keyPrefix,
    CASSANDRA_CONTACT_POINTS: stack.cassandraConfig.contactPoints.join(','),
    CASSANDRA_KEYSPACE: stack.cassandraConfig.keyspace,
    READINGS_TOPIC: stack.topic,
    READINGS_PARTITIONS: String(partitions),
    SPEED_GROUP_ID: stack.groupId,
    ALERTS_TOPIC: alertsTopic,
    ALERTS_PARTITIONS: '1',
    ARCHIVE_ROOT: root,
    ANOMALY_BASELINE_POLL: '200ms',
    OPS_PORT: '0',
    ...extra,
  };
}
