// Public surface of @lambda-iot/runtime.
export { createLogger, silentLogger, LOG_LEVELS } from './logger';
export type { Logger, LogLevel, LoggerOptions } from './logger';
export { createMetricsRegistry } from './metrics-registry';
export type { MetricsRegistryOptions } from './metrics-registry';
export { summarizeHealth } from './health';
export type { HealthCheck, HealthReport, HealthState, HealthSummary } from './health';
export { LifecycleBase, deferred } from './lifecycle';
export type { Lifecycle, Deferred } from './lifecycle';
export { OpsServer } from './ops-server';
export type { OpsServerOptions } from './ops-server';
export { runUntilSignal, closeAll } from './run-until-signal';
export type { RunOptions } from './run-until-signal';
