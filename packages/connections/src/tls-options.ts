// Turns a TlsConfig into Node's TLS options, reading the PEM files once at start-up.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { TlsConfig } from '@lambda-iot/core';

/** Undefined when TLS is off, so callers can pass the result straight to a client's `tls`/`ssl` option. */
export function tlsOptions(config: TlsConfig): ConnectionOptions | undefined {
  if (!config.enabled) return undefined;
  const options: ConnectionOptions = { rejectUnauthorized: config.rejectUnauthorized };
  if (config.caFile) options.ca = readFileSync(config.caFile);
  if (config.certFile) options.cert = readFileSync(config.certFile);
  if (config.keyFile) options.key = readFileSync(config.keyFile);
  return options;
}
