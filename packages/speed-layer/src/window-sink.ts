// Where window aggregates go: one interface for the hot (Redis) and durable (Cassandra) speed views.
import type { Aggregate } from '@lambda-iot/core';

/** The state of one 1-minute window of one series, as written to the sinks. */
export interface WindowUpdate {
  deviceId: string;
  metric: string;
  /** UTC epoch ms, aligned to the minute. */
  windowStart: number;
  aggregate: Aggregate;
  /** True once the watermark has passed the window's end plus the allowed lateness: the value will not change. */
  final: boolean;
  /**
   * True once the watermark has passed the window's end (always, when final): every reading that was on time is
   * in it, and what still arrives within the allowed lateness is a straggler. What alerting scores, since waiting
   * for `final` would delay every alert by the allowed lateness. Absent means false.
   */
  complete?: boolean;
}

/**
 * Writes are whole-aggregate overwrites, never increments, so writing the same update twice (a replay after a
 * crash) is harmless. Implementations also refuse to replace a stored window by one with a smaller count: a
 * window's aggregate only grows, so that write can only come from a stale owner of the partition (one that
 * lost it in a rebalance while a write was in flight), and ignoring it keeps the view from going backwards.
 */
export interface WindowSink {
  readonly name: string;
  /** Resolves once every update is durable in the sink; rejects (with a SinkError) otherwise. */
  write(updates: readonly WindowUpdate[]): Promise<void>;
}
