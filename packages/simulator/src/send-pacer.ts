// Maps simulated send times onto the wall clock, so a run keeps its configured rate (or runs flat out in fast mode).
import { sleep as realSleep, type Clock } from '@lambda-iot/core';

export interface SendPacerOptions {
  clock: Clock;
  /** Simulated time that corresponds to the first `wait` call. */
  simStart: number;
  /** Simulated milliseconds per wall-clock millisecond; 1 is real time. Ignored when `fast`. */
  speed?: number;
  /** Send as fast as the transport allows; event times stay simulated. */
  fast?: boolean;
  sleep?: (ms: number) => Promise<void>;
}

export class SendPacer {
  private wallStart: number | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SendPacerOptions) {
    this.sleep = options.sleep ?? ((ms) => realSleep(ms));
  }

  /** Resolves when the wall clock reaches the moment `sendAt` maps to. */
  async wait(sendAt: number): Promise<void> {
    if (this.options.fast) return;
    const now = this.options.clock.now();
    this.wallStart ??= now;
    const due = this.wallStart + (sendAt - this.options.simStart) / (this.options.speed ?? 1);
    if (due > now) await this.sleep(due - now);
  }
}
