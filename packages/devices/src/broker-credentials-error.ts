// Failures of provisioning device logins on the broker, typed so callers can tell "try later" from "refused".
import { LambdaIotError } from '@lambda-iot/core';

/**
 * Codes: `broker_unavailable` (not connected, or no answer in time: retriable), `broker_refused` (the broker
 * answered a command with an error), `broker_conflict` (another client created the same login at the same
 * moment: retriable), `not_a_device_account` (the username belongs to another kind of account),
 * `invalid_token` (an empty token cannot be a password).
 */
export class BrokerCredentialsError extends LambdaIotError {
  constructor(message: string, options: { code: string; retriable: boolean; cause?: unknown }) {
    super(message, options);
  }
}
