// Parses per-metric detector rules from their JSON form (how apps configure them), refusing anything ambiguous.
import { ValidationError } from '@lambda-iot/core';
import type { MetricRule } from './detector-config';

/**
 * Rules for the simulated fleet's metrics (packages/simulator): the speed app's default, and what bench/anomaly
 * evaluates, so the two cannot disagree. Vibration readings carry knocks of 5–10 mm/s (1 % of them): a floor of
 * 1 mm/s keeps them from raising spikes, and drift is judged without them on a floor of 0.1 mm/s. A deployment
 * with other sensors sets its own (ANOMALY_METRICS).
 */
export const SIMULATED_METRIC_RULES =
  '{"temperature":{"min":-60,"max":150,"scaleFloor":0.1},"humidity":{"min":0,"max":100,"scaleFloor":0.5},' +
  '"vibration":{"min":0,"max":50,"scaleFloor":1,"driftScaleFloor":0.1},"energy":{"baseline":false}}';

const FIELDS = new Set(['min', 'max', 'scaleFloor', 'driftScaleFloor', 'baseline']);
type NumericField = 'min' | 'max' | 'scaleFloor' | 'driftScaleFloor';

/** `{"temperature":{"min":-60,"max":150,"scaleFloor":0.1},"energy":{"baseline":false}}` → rules by metric. */
export function parseMetricRules(text: string): Record<string, MetricRule> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ValidationError('metric rules are not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ValidationError('metric rules must be an object keyed by metric');
  const out: Record<string, MetricRule> = {};
  for (const [metric, raw] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new ValidationError(`rule of ${metric} must be an object`);
    const rule: MetricRule = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (!FIELDS.has(k)) throw new ValidationError(`rule of ${metric}: unknown field ${k}`);
      if (k === 'baseline') {
        if (typeof v !== 'boolean')
          throw new ValidationError(`rule of ${metric}: baseline must be true or false`);
        rule.baseline = v;
      } else {
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new ValidationError(`rule of ${metric}: ${k} must be a finite number`);
        if ((k === 'scaleFloor' || k === 'driftScaleFloor') && v < 0)
          throw new ValidationError(`rule of ${metric}: ${k} must be ≥ 0`);
        rule[k as NumericField] = v;
      }
    }
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max)
      throw new ValidationError(`rule of ${metric}: min is above max`);
    out[metric] = rule;
  }
  return out;
}
