// The serving app: Fastify with auth, rate limiting, errors, metrics, OpenAPI and every route, built from parts.
import { randomUUID } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import { DAY_MS, type Clock } from '@lambda-iot/core';
import type { DeviceRegistry } from '@lambda-iot/devices';
import type { HealthCheck, Logger } from '@lambda-iot/runtime';
import {
  DEFAULT_STEP_LIMITS,
  FleetQuery,
  SeriesQuery,
  SpeedFleetReader,
  type BatchBoundaryReader,
  type BatchView,
  type FleetView,
  type LastSeenSource,
  type PipelineStatus,
  type SpeedView,
} from '@lambda-iot/views';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';
import { BearerAuth } from './bearer-auth';
import { registerAlertRoutes, type AlertSource } from './routes/alert-routes';
import { registerFleetRoutes } from './routes/fleet-routes';
import { registerOpsRoutes } from './routes/ops-routes';
import { registerPipelineRoutes } from './routes/pipeline-routes';
import { registerSeriesRoute } from './routes/series-route';
import { registerStaticRoutes } from './routes/static-routes';
import type { ServingContext, ServingLimits } from './serving-context';
import { installErrorHandler } from './serving-errors';

export interface ServingDeps {
  /** The batch view; its fleet reads answer /v1/fleet and /v1/top below the boundary. */
  batch: BatchView & FleetView;
  speed: SpeedView;
  /** Fleet reads above the boundary; default: the speed view device by device (`SpeedFleetReader`). */
  speedFleet?: FleetView;
  boundary: BatchBoundaryReader;
  registry: Pick<DeviceRegistry, 'list'>;
  /** When devices last reported (the speed layer's record), shown by /v1/devices. */
  lastSeen?: LastSeenSource;
  status: PipelineStatus;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  health?: readonly HealthCheck[];
  /** Anomaly alerts (routes/alert-routes.ts); without it /v1/alerts is not served. */
  alerts?: AlertSource;
}

export interface ServingOptions {
  /** Accepted bearer tokens; none means every authenticated route answers 401. */
  tokens: readonly string[];
  limits?: Partial<ServingLimits>;
  /** Requests per token (per address without a token) per window. */
  rateLimit?: { max: number; timeWindowMs: number };
  /** Speed-view reads in flight for one fleet request. */
  fleetConcurrency?: number;
}

export const DEFAULT_LIMITS: ServingLimits = Object.freeze({
  ...DEFAULT_STEP_LIMITS,
  maxFleetPoints: 100_000,
  maxTop: 100,
  defaultRangeMs: DAY_MS,
});

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without a bearer token. */
    public?: boolean;
  }
  interface FastifyRequest {
    /** sha256 of the verified token (hex), '' on public routes: the rate-limit key. */
    tokenDigest: string;
  }
}

export async function buildApp(deps: ServingDeps, options: ServingOptions): Promise<FastifyInstance> {
  const limits: ServingLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const app = Fastify({
    loggerInstance: deps.logger as unknown as FastifyBaseLogger,
    // One line per request would dominate the log at analyst query rates; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false },
    },
  });
  app.decorateRequest('tokenDigest', '');
  installErrorHandler(app);

  const latency = new Histogram({
    name: 'serving_request_duration_seconds',
    help: 'Request latency by route and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [deps.metrics],
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    latency.observe(
      {
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  const auth = new BearerAuth(options.tokens);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return;
    request.tokenDigest = auth.verify(request.headers.authorization);
  });
  const rate = options.rateLimit ?? { max: 6_000, timeWindowMs: 60_000 };
  await app.register(fastifyRateLimit, {
    max: rate.max,
    timeWindow: rate.timeWindowMs,
    keyGenerator: (request) => (request.tokenDigest !== '' ? `t:${request.tokenDigest}` : `ip:${request.ip}`),
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'lambda-iot query API',
        version: '1.0.0',
        description:
          'Sensor aggregates per window, merged from the batch view (below the batch boundary, final) and the speed view (above it, fresh).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  const ctx: ServingContext = {
    series: new SeriesQuery({ batch: deps.batch, speed: deps.speed, boundary: deps.boundary }),
    fleet: new FleetQuery({
      batch: deps.batch,
      speed:
        deps.speedFleet ??
        new SpeedFleetReader(deps.speed, {
          listDevices: async () => (await deps.registry.list()).map((d) => d.deviceId),
          concurrency: options.fleetConcurrency ?? 8,
        }),
      boundary: deps.boundary,
    }),
    registry: deps.registry,
    ...(deps.lastSeen ? { lastSeen: deps.lastSeen } : {}),
    status: deps.status,
    boundary: deps.boundary,
    clock: deps.clock,
    limits,
  };
  registerSeriesRoute(app, ctx);
  registerFleetRoutes(app, ctx);
  registerPipelineRoutes(app, ctx);
  if (deps.alerts) registerAlertRoutes(app, ctx, deps.alerts);
  registerOpsRoutes(app, deps.metrics, deps.health ?? []);
  registerStaticRoutes(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}
