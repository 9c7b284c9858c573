// Failures of the archive: file system and Redis problems the archiver retries, bad layouts it refuses.
import { LambdaIotError } from '@lambda-iot/core';

export class ArchiveError extends LambdaIotError {
  constructor(message: string, options: { code?: string; retriable?: boolean; cause?: unknown } = {}) {
    super(message, {
      code: options.code ?? 'archive',
      retriable: options.retriable ?? true,
      ...('cause' in options ? { cause: options.cause } : {}),
    });
  }
}
