// The serving app's entry point: configuration, views, the Fastify app, then serve until a signal.
import cluster from 'node:cluster';
import { createLogger, createMetricsRegistry, runUntilSignal } from '@lambda-iot/runtime';
import { loadConfig } from './config';
import { createServingApp } from './create-serving-app';
import { ServingServer } from './serving-server';
import { WorkerSupervisor } from './worker-supervisor';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'serving', level: config.logLevel });
  if (config.workers > 1 && cluster.isPrimary) {
    // The primary only forks and watches; each worker builds its own views and shares the port.
    await runUntilSignal([new WorkerSupervisor({ workers: config.workers, logger })], { logger });
    return;
  }
  const metrics = createMetricsRegistry({ app: 'serving' });
  const { app, views } = await createServingApp(config, logger, metrics);
  const server = new ServingServer({
    app,
    host: config.host,
    port: config.port,
    closeViews: () => views.close(),
  });
  await runUntilSignal([server], { logger });
  logger.info({ address: server.address() }, 'serving');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
