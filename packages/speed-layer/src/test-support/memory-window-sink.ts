// An in-memory WindowSink for unit tests: keeps the last accepted state of every window, like the real sinks.
import type { WindowSink, WindowUpdate } from '../window-sink';

export function windowId(u: { deviceId: string; metric: string; windowStart: number }): string {
  return `${u.deviceId}|${u.metric}|${u.windowStart}`;
}

export class MemoryWindowSink implements WindowSink {
  readonly windows = new Map<string, WindowUpdate>();
  writes = 0;
  /** While set, every write rejects with this error. */
  failWith: Error | undefined;

  constructor(readonly name = 'memory') {}

  async write(updates: readonly WindowUpdate[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.writes++;
    for (const u of updates) apply(this.windows, u);
  }
}

/** The sinks' overwrite rule: a smaller count never replaces a stored window. */
export function apply(windows: Map<string, WindowUpdate>, u: WindowUpdate): void {
  const id = windowId(u);
  const current = windows.get(id);
  if (current === undefined || current.aggregate.count <= u.aggregate.count) {
    windows.set(id, { ...u, aggregate: { ...u.aggregate } });
  }
}
