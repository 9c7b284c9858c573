// The HTTP side of the gateway as a Fastify app: POST /v1/readings plus /healthz and /metrics, built apart from listen().
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { Registry } from 'prom-client';
import { MAX_DEVICE_ID_LENGTH, isRetriable, isValidId } from '@lambda-iot/core';
import type { DeviceRegistry } from '@lambda-iot/devices';
import { LifecycleBase, summarizeHealth, type HealthCheck, type Logger } from '@lambda-iot/runtime';
import { authenticate, headerValue, tokenOf } from './device-auth';
import { GatewayBusyError, KafkaUnavailableError } from './gateway-errors';
import type { GatewayMetrics } from './gateway-metrics';
import type { ReadingIngest } from './reading-ingest';
import { claimedDeviceId, splitBody } from './request-body';

export interface GatewayDeps {
  ingest: ReadingIngest;
  registry: DeviceRegistry;
  metricsRegistry: Registry;
  metrics?: GatewayMetrics;
  checks?: readonly HealthCheck[];
  logger?: Logger;
}

export interface GatewayOptions {
  /** Largest accepted body; larger ones get 413 and their first `bodyLimit` bytes are dead-lettered. */
  bodyLimit: number;
  /** Seconds clients are told to wait after 503 (Kafka unavailable). */
  retryAfterUnavailableS?: number;
  /** Seconds clients are told to wait after 429 (too much in flight). */
  retryAfterBusyS?: number;
}

interface RawBody {
  bytes: Buffer;
  /** Bytes received in total; more than `bytes` when the body was over the limit. */
  received: number;
}

export const READINGS_ROUTE = '/v1/readings';

export function buildGateway(deps: GatewayDeps, options: GatewayOptions): FastifyInstance {
  const app: FastifyInstance = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : {}),
    // One log line per request would cost more than the request at ingest rates; metrics count them instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: Number.MAX_SAFE_INTEGER,
  });
  // Every body is read raw, whatever its content type: the bytes go to the DLQ as received, and an oversized
  // body is cut at the limit instead of being thrown away by Fastify's own 413.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let received = 0;
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (kept < options.bodyLimit) {
        const piece =
          kept + chunk.length > options.bodyLimit ? chunk.subarray(0, options.bodyLimit - kept) : chunk;
        chunks.push(piece);
        kept += piece.length;
      }
    });
    payload.on('end', () => done(null, { bytes: Buffer.concat(chunks, kept), received } satisfies RawBody));
    payload.on('error', (err) => done(err, undefined));
  });

  app.post(READINGS_ROUTE, async (req, reply) => {
    const raw = (req.body as RawBody | undefined) ?? { bytes: Buffer.alloc(0), received: 0 };
    const token = tokenOf(req.headers);
    const headerDevice = headerValue(req.headers['x-device-id']);
    try {
      if (raw.received > options.bodyLimit) {
        const key = isValidId(headerDevice, MAX_DEVICE_ID_LENGTH) ? headerDevice : undefined;
        await deps.ingest.refuseWhole(
          raw.bytes,
          'oversized',
          `body of ${raw.received} bytes is over the ${options.bodyLimit}-byte limit (first ${raw.bytes.length} bytes kept)`,
          'http',
          key,
        );
        return send(reply, 413, { error: 'oversized', limit: options.bodyLimit });
      }
      const parts = splitBody(raw.bytes, req.headers['content-type']);
      const deviceId = headerDevice ?? claimedDeviceId(parts);
      const auth = await authenticate(deps.registry, deviceId, token);
      if (!auth.ok) {
        const key = isValidId(deviceId, MAX_DEVICE_ID_LENGTH) ? deviceId : undefined;
        await deps.ingest.refuseWhole(raw.bytes, auth.reason, auth.message, 'http', key);
        return send(
          reply,
          401,
          { error: 'unauthorized', message: 'missing or invalid device token' },
          { 'www-authenticate': 'Bearer' },
        );
      }
      if (parts.length === 0) {
        await deps.ingest.refuseWhole(raw.bytes, 'missing_readings', 'empty body', 'http', auth.deviceId);
        return send(reply, 400, {
          accepted: 0,
          rejected: [{ envelope: 0, index: -1, reason: 'missing_readings', message: 'empty body' }],
        });
      }
      const outcome = await deps.ingest.ingest(parts, auth.deviceId, 'http');
      return send(reply, outcome.accepted > 0 ? 202 : 400, outcome);
    } catch (err) {
      if (err instanceof GatewayBusyError) {
        return send(
          reply,
          429,
          { error: 'busy', message: 'too many readings wait for Kafka; retry later' },
          { 'retry-after': String(options.retryAfterBusyS ?? 1) },
        );
      }
      // Kafka, or the registry's store, is unreachable: nothing was acknowledged, so the client may resend.
      if (err instanceof KafkaUnavailableError || isRetriable(err)) {
        deps.logger?.warn({ err }, 'answering 503');
        return send(
          reply,
          503,
          { error: 'unavailable', message: 'Kafka is unavailable; nothing from this request was accepted' },
          { 'retry-after': String(options.retryAfterUnavailableS ?? 5) },
        );
      }
      throw err;
    }
  });

  app.get('/healthz', async (_req, reply) => {
    const summary = await summarizeHealth(deps.checks ?? []);
    return reply.code(summary.status === 'down' ? 503 : 200).send(summary);
  });

  app.get('/metrics', async (_req, reply) => {
    const body = await deps.metricsRegistry.metrics();
    return reply.header('content-type', deps.metricsRegistry.contentType).send(body);
  });

  function send(
    reply: FastifyReply,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): FastifyReply {
    deps.metrics?.requests.inc({ status: String(status) });
    return reply.code(status).headers(headers).send(body);
  }

  return app;
}

/** Runs a built gateway app as a Lifecycle: listen on start, stop accepting and finish requests on close. */
export class GatewayServer extends LifecycleBase {
  constructor(
    readonly app: FastifyInstance,
    private readonly listen: { host: string; port: number },
  ) {
    super();
  }

  get address(): { host: string; port: number } {
    const addr = this.app.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('gateway is not listening');
    return { host: addr.address, port: addr.port };
  }

  protected async onStart(): Promise<void> {
    await this.app.listen(this.listen);
  }

  protected async onClose(): Promise<void> {
    await this.app.close();
  }
}
