// The speed layer's typed errors: sink failures say whether a retry can help, so the handler backs off only then.
import { LambdaIotError } from '@lambda-iot/core';

export class SpeedLayerError extends LambdaIotError {
  constructor(message: string, options: { code?: string; retriable?: boolean; cause?: unknown } = {}) {
    super(message, { ...options, code: options.code ?? 'speed', retriable: options.retriable ?? false });
  }
}

/** A window sink could not write; connection loss and timeouts are retriable, rejected statements are not. */
export class SinkError extends SpeedLayerError {
  readonly sink: string;

  constructor(sink: string, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(`${sink} sink: ${message}`, { code: 'speed_sink', ...options });
    this.sink = sink;
  }
}
