// The Prometheus registry of one app, labelled with the app's name so every series says where it came from.
import { Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsRegistryOptions {
  app: string;
  /** Process metrics (CPU, heap, event-loop lag); off in tests that build many registries. */
  collectProcessMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app: options.app });
  if (options.collectProcessMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
