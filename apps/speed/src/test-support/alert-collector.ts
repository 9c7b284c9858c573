// Collects the alert events a speed app publishes on its alerts topic, each (id, state) once.
import type { Consumer } from 'kafkajs';
import type { AlertEvent } from '@lambda-iot/anomaly';

/** The topic delivers at least once (a replay repeats events), so events are kept once per id and state. */
export class AlertCollector {
  private readonly byIdState = new Map<string, AlertEvent>();
  /** Wall-clock time each (id, state) first arrived. */
  private readonly arrivals = new Map<string, number>();

  private constructor() {}

  /** Subscribes `consumer` (not yet connected) to `topic` from its beginning. */
  static async start(consumer: Consumer, topic: string): Promise<AlertCollector> {
    const collector = new AlertCollector();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const e = JSON.parse(message.value!.toString()) as AlertEvent;
        const key = `${e.id}|${e.state}`;
        collector.byIdState.set(key, e);
        if (!collector.arrivals.has(key)) collector.arrivals.set(key, Date.now());
      },
    });
    return collector;
  }

  /** Open events, in the order they arrived. */
  opened(): AlertEvent[] {
    return [...this.byIdState.values()].filter((e) => e.state === 'open');
  }

  /** When `e` (its id in its state) first arrived, by the wall clock. */
  receivedAt(e: AlertEvent): number | undefined {
    return this.arrivals.get(`${e.id}|${e.state}`);
  }

  resolution(id: string): AlertEvent | undefined {
    return this.byIdState.get(`${id}|resolved`);
  }

  /** Each alert's latest state as received: resolved once its resolution arrived, else open. */
  states(): Map<string, AlertEvent['state']> {
    const out = new Map<string, AlertEvent['state']>();
    for (const e of this.byIdState.values())
      if (e.state === 'resolved' || !out.has(e.id)) out.set(e.id, e.state);
    return out;
  }
}
