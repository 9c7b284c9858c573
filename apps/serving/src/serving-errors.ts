// The serving app's errors and the one table that maps every error to an HTTP status.
import { isLambdaIotError, LambdaIotError } from '@lambda-iot/core';
import type { FastifyError, FastifyInstance } from 'fastify';

export class UnauthorizedError extends LambdaIotError {
  constructor(
    message: string,
    readonly tokenGiven: boolean,
  ) {
    super(message, { code: 'unauthorized' });
  }
}

export class NotAcceptableError extends LambdaIotError {
  constructor(message: string) {
    super(message, { code: 'not_acceptable' });
  }
}

/** Status per error code; declared once so every route answers the same way. */
export const ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  validation: 400,
  step_range: 400,
  unauthorized: 401,
  not_acceptable: 406,
});

export interface ErrorBody {
  error: string;
  message: string;
  requestId: string;
}

/** Maps thrown errors to `{ error, message, requestId }`; only unknown failures are 500, and they are logged. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const requestId = String(request.id);
    if (err.validation !== undefined) {
      return reply.code(400).send({ error: 'bad_request', message: validationMessage(err), requestId });
    }
    if (isLambdaIotError(err)) {
      const status = ERROR_STATUS[err.code];
      if (status !== undefined) {
        if (err instanceof UnauthorizedError) {
          reply.header(
            'www-authenticate',
            err.tokenGiven ? 'Bearer realm="lambda-iot", error="invalid_token"' : 'Bearer realm="lambda-iot"',
          );
        }
        return reply.code(status).send({ error: err.code, message: err.message, requestId });
      }
      if (err.retriable) {
        // A store is down and no fallback answered: the client may retry.
        request.log.warn({ err, requestId }, 'view unavailable');
        reply.header('retry-after', '1');
        return reply
          .code(503)
          .send({ error: 'unavailable', message: 'a view is unavailable, retry', requestId });
      }
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (bad content type, body too large) and the rate limiter's 429.
      const error = status === 429 ? 'rate_limited' : 'bad_request';
      return reply.code(status).send({ error, message: err.message, requestId });
    }
    request.log.error({ err, requestId }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error', requestId });
  });
}

function validationMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  if (first === undefined) return err.message;
  const where = err.validationContext ?? 'request';
  const path = first.instancePath ? first.instancePath.replace(/^\//, '') : '';
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperty?: string }).additionalProperty;
    return `${where} parameter ${JSON.stringify(extra)} is not allowed`;
  }
  if (first.keyword === 'required') {
    const missing = (first.params as { missingProperty?: string }).missingProperty;
    return `${where} parameter ${JSON.stringify(missing)} is required`;
  }
  if (first.keyword === 'enum') {
    const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `${where} parameter ${JSON.stringify(path)} must be one of ${allowed.join(', ')}`;
  }
  return `${where} parameter ${JSON.stringify(path)} ${first.message ?? 'is invalid'}`;
}
