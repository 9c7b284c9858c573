// Public surface of @lambda-iot/testkit (dev-only).
export {
  testKafkaConfig,
  testRedisConfig,
  testCassandraConfig,
  testMqttUrl,
  testMqttConfig,
} from './stack-config';
export type { TestMqttConfig } from './stack-config';
export { uniqueName } from './unique-name';
export { eventually } from './eventually';
export type { EventuallyOptions } from './eventually';
export { AppProcess } from './app-process';
export type { AppProcessOptions } from './app-process';
export { TcpProxy } from './tcp-proxy';
export type { TcpProxyOptions } from './tcp-proxy';
export { deleteKeys, deleteMatching } from './redis-cleanup';
export { DuckDbScratch } from './duckdb-scratch';
export { writeMinuteViewFile } from './minute-view-file';
