// The anomaly package's typed errors: a missing or malformed model is not retriable, a store outage is.
import { LambdaIotError } from '@lambda-iot/core';

export class AnomalyError extends LambdaIotError {
  constructor(message: string, options: { code?: string; retriable?: boolean; cause?: unknown } = {}) {
    super(message, { ...options, code: options.code ?? 'anomaly', retriable: options.retriable ?? false });
  }
}

/** A baseline artifact that cannot be read or does not match the model format. */
export class BaselineModelError extends AnomalyError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, code: 'anomaly_baseline_model', retriable: false });
  }
}

/** An alert store (Cassandra, Redis) or the alerts topic failed; connection problems are retriable. */
export class AlertStoreError extends AnomalyError {
  constructor(store: string, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(`${store}: ${message}`, { ...options, code: 'anomaly_alert_store' });
  }
}

/** The online-baseline store failed (connection problems are retriable), or one of its entries is unreadable. */
export class OnlineBaselineStoreError extends AnomalyError {
  constructor(store: string, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(`${store}: ${message}`, { ...options, code: 'anomaly_online_baseline_store' });
  }
}
