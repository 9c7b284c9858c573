// Drives one run: paces the traffic, hands it to a sender, and records the ground truth of what was sent.
import type { GroundTruth } from './ground-truth';
import type { SendPacer } from './send-pacer';
import type { TrafficSender } from './traffic-sender';
import type { TrafficItem } from './traffic-generator';

export interface RunTrafficOptions {
  sender: TrafficSender;
  pacer?: SendPacer;
  /** Receives every envelope handed to the sender (before it is acknowledged). */
  truth?: GroundTruth;
  /** Called now and then with the number of items handed over, for progress output. */
  onProgress?: (items: number) => void;
  progressEvery?: number;
  signal?: AbortSignal;
}

/** Sends every item, then waits for all acknowledgements. Returns the number of items sent. */
export async function runTraffic(items: Iterable<TrafficItem>, options: RunTrafficOptions): Promise<number> {
  let count = 0;
  const every = options.progressEvery ?? 10_000;
  for (const item of items) {
    if (options.signal?.aborted) break;
    if (options.pacer) await options.pacer.wait(item.sendAt);
    if (item.kind === 'envelope') options.truth?.addEnvelope(item.envelope);
    await options.sender.send(item);
    count++;
    if (count % every === 0) options.onProgress?.(count);
  }
  await options.sender.flush();
  return count;
}
