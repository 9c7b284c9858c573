// The read side's errors: a view that cannot answer right now (its store is down and nothing stands in for it).
import { LambdaIotError } from '@lambda-iot/core';

/** Retriable: the serving app answers 503 with Retry-After, never 500. */
export class ViewUnavailableError extends LambdaIotError {
  constructor(what: string, cause?: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    super(`${what} is unavailable${reason}`, {
      code: 'view_unavailable',
      retriable: true,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}
