// Posts traffic to the gateway as devices would: one envelope per request, the device's own token, retrying 429/503.
import { encodeEnvelope, LambdaIotError, retry, type BackoffPolicy } from '@lambda-iot/core';
import { InFlightLimit } from './in-flight-limit';
import { emptyReport, type SendReport, type TrafficSender } from './traffic-sender';
import type { TrafficItem } from './traffic-generator';

export interface HttpSenderOptions {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** The token of each device (e.g. `deviceToken(seed, id)` for a simulator fleet). */
  tokenFor: (deviceId: string) => string;
  /** Requests awaiting an answer at once. */
  concurrency?: number;
  /** Attempts per request when the gateway answers 429/503 or the connection fails. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  fetch?: typeof fetch;
}

class RetryableStatus extends LambdaIotError {
  constructor(readonly status: number) {
    super(`gateway answered ${status}`, { code: 'gateway_busy', retriable: true });
  }
}

const READINGS_PATH = '/v1/readings';

export class HttpSender implements TrafficSender {
  readonly report: SendReport = emptyReport();
  private readonly limit: InFlightLimit;
  private readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpSenderOptions) {
    this.limit = new InFlightLimit(options.concurrency ?? 16);
    this.url = new URL(READINGS_PATH, options.baseUrl).toString();
    this.fetch = options.fetch ?? fetch;
  }

  async send(item: TrafficItem): Promise<void> {
    const deviceId = item.kind === 'envelope' ? item.envelope.deviceId : item.deviceId;
    const body = item.kind === 'envelope' ? encodeEnvelope(item.envelope) : item.bytes;
    await this.limit.run(1, async () => {
      const status = await this.post(deviceId, body);
      if (item.kind === 'malformed') {
        this.report.malformed++;
        return;
      }
      if (status !== 202)
        throw new LambdaIotError(`gateway refused an envelope of ${deviceId} with ${status}`, {
          code: 'gateway_refused',
        });
      this.report.envelopes++;
      this.report.readings += item.envelope.readings.length;
    });
  }

  async flush(): Promise<void> {
    await this.limit.drain();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private post(deviceId: string, body: Buffer): Promise<number> {
    return retry(
      async (attempt) => {
        if (attempt > 1) this.report.retries++;
        let res: Response;
        try {
          res = await this.fetch(this.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${this.options.tokenFor(deviceId)}`,
              // Names the device even when the body is unparseable, so a malformed record is judged, not refused as unauthenticated.
              'x-device-id': deviceId,
            },
            body,
          });
        } catch (err) {
          throw new LambdaIotError(`posting to ${this.url} failed`, {
            code: 'gateway_unreachable',
            retriable: true,
            cause: err,
          });
        }
        await res.arrayBuffer();
        this.report.statuses[res.status] = (this.report.statuses[res.status] ?? 0) + 1;
        if (res.status === 429 || res.status === 503) throw new RetryableStatus(res.status);
        return res.status;
      },
      {
        maxAttempts: this.options.maxAttempts ?? 8,
        ...(this.options.backoff ? { policy: this.options.backoff } : {}),
      },
    );
  }
}
