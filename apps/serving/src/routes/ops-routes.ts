// /healthz (public) and /metrics (Prometheus text), on the API's own Fastify app.
import { summarizeHealth, type HealthCheck } from '@lambda-iot/runtime';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export function registerOpsRoutes(
  app: FastifyInstance,
  metrics: Registry,
  checks: readonly HealthCheck[],
): void {
  app.get(
    '/healthz',
    { schema: { hide: true }, config: { public: true, rateLimit: false } },
    async (_request, reply) => {
      const summary = await summarizeHealth(checks);
      return reply.code(summary.status === 'down' ? 503 : 200).send(summary);
    },
  );

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(metrics.contentType).send(await metrics.metrics());
  });
}
