// Failures of a device registry's store, typed so the gateway can tell "try later" from "bad data".
import { LambdaIotError } from '@lambda-iot/core';

export class DeviceRegistryError extends LambdaIotError {
  constructor(message: string, options: { code?: string; retriable: boolean; cause?: unknown }) {
    super(message, {
      code: options.code ?? 'device_registry',
      retriable: options.retriable,
      cause: options.cause,
    });
  }
}
