// Why the gateway could not take input right now: each maps to an HTTP status with Retry-After.
import { LambdaIotError } from '@lambda-iot/core';

/** Too many bytes are waiting for Kafka: the client should back off briefly (429). */
export class GatewayBusyError extends LambdaIotError {
  constructor(
    readonly inFlightBytes: number,
    readonly limitBytes: number,
  ) {
    super(`${inFlightBytes} bytes already wait for Kafka (limit ${limitBytes})`, {
      code: 'gateway_busy',
      retriable: true,
    });
  }
}

/** Kafka did not acknowledge in time or refused the write: nothing from the request is acknowledged (503). */
export class KafkaUnavailableError extends LambdaIotError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'kafka_unavailable', retriable: true, cause });
  }
}

/** The MQTT broker refused the gateway's login (`mqtt_refused`) or could not be reached (`mqtt_unavailable`). */
export class MqttIntakeError extends LambdaIotError {
  constructor(message: string, options: { code: 'mqtt_refused' | 'mqtt_unavailable'; cause?: unknown }) {
    super(message, { ...options, retriable: options.code === 'mqtt_unavailable' });
  }
}
