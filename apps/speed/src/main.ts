// Entry point of the speed app: configuration, logger and metrics, then run until SIGINT/SIGTERM.
import { createLogger, createMetricsRegistry, OpsServer, runUntilSignal } from '@lambda-iot/runtime';
import { loadConfig } from './config';
import { SpeedApp } from './speed-app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'speed', level: config.logLevel });
  const registry = createMetricsRegistry({ app: 'speed' });
  const app = new SpeedApp(config, logger, registry);
  const ops = new OpsServer({
    host: config.opsHost,
    port: config.opsPort,
    registry,
    checks: app.healthChecks(),
    logger,
  });
  await runUntilSignal([ops, app], { logger, closeTimeoutMs: 60_000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
