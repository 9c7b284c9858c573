// Failures of batch jobs and readers, typed so workers retry only what can succeed on a second try.
import { LambdaIotError } from '@lambda-iot/core';

export class BatchError extends LambdaIotError {
  constructor(message: string, options: { code?: string; retriable?: boolean; cause?: unknown } = {}) {
    super(message, {
      code: options.code ?? 'batch',
      retriable: options.retriable ?? true,
      ...('cause' in options ? { cause: options.cause } : {}),
    });
  }
}
