// How each simulated metric behaves over event time: daily cycles, noise, spikes and a monotonic counter.
import { DAY_MS, HOUR_MS } from '@lambda-iot/core';
import type { DeviceType } from './fleet';
import type { Prng } from './prng';

export const METRICS = ['temperature', 'humidity', 'vibration', 'energy'] as const;
export type MetricName = (typeof METRICS)[number];

/** The constants that make one device's signals its own. */
export interface DeviceProfile {
  baseTemperature: number;
  /** Fraction of a day by which this device's daily cycle is shifted. */
  phase: number;
  /** Mean electrical power in kW; the energy counter integrates it. */
  powerKw: number;
  /** The counter's reading at epoch 0 of the simulation's reference (keeps devices apart). */
  energyOffsetKwh: number;
}

const BASE_TEMPERATURE: Readonly<Record<DeviceType, number>> = {
  pump: 35,
  freezer: -18,
  hvac: 21,
  boiler: 65,
  compressor: 45,
};

export function deviceProfile(type: DeviceType, rng: Prng): DeviceProfile {
  return {
    baseTemperature: BASE_TEMPERATURE[type] + rng.range(-2, 2),
    phase: rng.range(0, 1),
    powerKw: rng.range(0.5, 5),
    energyOffsetKwh: rng.range(0, 10_000),
  };
}

/** Probability that a vibration reading is a spike (a bearing knock, a door slam). */
export const VIBRATION_SPIKE_PROBABILITY = 0.01;

/** The value of `metric` at event time `ts`; noise and spikes come from `rng`. */
export function metricValue(metric: MetricName, ts: number, profile: DeviceProfile, rng: Prng): number {
  const cycle = Math.sin(2 * Math.PI * (ts / DAY_MS + profile.phase));
  switch (metric) {
    case 'temperature':
      return round(profile.baseTemperature + 4 * cycle + 0.3 * rng.normal(), 2);
    case 'humidity':
      return round(clamp(45 - 15 * cycle + 2 * rng.normal(), 0, 100), 1);
    case 'vibration': {
      const base = 0.2 + 0.05 * Math.abs(rng.normal());
      return round(rng.chance(VIBRATION_SPIKE_PROBABILITY) ? base + rng.range(5, 10) : base, 3);
    }
    case 'energy':
      return energyAt(ts, profile);
  }
}

/**
 * kWh consumed up to `ts`: the integral of a power that swings ±30 % over the day and is always positive,
 * so the counter rises strictly with event time whatever order readings are sent in. Not rounded, to keep it strict.
 */
export function energyAt(ts: number, profile: DeviceProfile): number {
  const hours = ts / HOUR_MS;
  const omega = (2 * Math.PI) / 24;
  const swing =
    (0.3 / omega) *
    (Math.cos(omega * 0 + 2 * Math.PI * profile.phase) -
      Math.cos(omega * hours + 2 * Math.PI * profile.phase));
  return profile.energyOffsetKwh + profile.powerKw * (hours + swing);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
