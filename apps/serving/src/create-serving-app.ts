// The app exactly as main serves it: real views from configuration, then buildApp with the configured limits.
import { systemClock, type Clock } from '@lambda-iot/core';
import type { Logger } from '@lambda-iot/runtime';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { buildApp } from './build-app';
import { maxRangeMs, type ServingConfig } from './config';
import { createViews, type ServingViews } from './create-views';

/** How long startup waits for Redis before serving without it (Cassandra answers the speed view). */
const REDIS_WAIT_MS = 5_000;

export interface ServingApp {
  app: FastifyInstance;
  views: ServingViews;
}

export async function createServingApp(
  config: Readonly<ServingConfig>,
  logger: Logger,
  metrics: Registry,
  clock: Clock = systemClock,
): Promise<ServingApp> {
  const views = createViews(config, logger, metrics);
  if (!(await views.redisReady(REDIS_WAIT_MS)))
    logger.warn({ waitedMs: REDIS_WAIT_MS }, 'redis not connected; serving without it until it is');
  const app = await buildApp(
    {
      ...views,
      clock,
      logger,
      metrics,
      health: [
        {
          name: 'batch-boundary',
          check: async () => ({ state: 'up', detail: `boundary ${await views.boundary.readBoundary()}` }),
        },
      ],
    },
    {
      tokens: config.tokens,
      limits: {
        maxPoints: config.maxPoints,
        maxRangeMs: maxRangeMs(config),
        maxFleetPoints: config.maxFleetPoints,
      },
      rateLimit: config.rateLimit,
      fleetConcurrency: config.fleetConcurrency,
    },
  );
  return { app, views };
}
