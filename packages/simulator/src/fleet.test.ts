import { deviceToken } from './device-token';
import { DEVICE_TYPES, SITES, deviceIdOf, fleetDevices } from './fleet';
import { Prng, prngFor } from './prng';

describe('fleet', () => {
  it('names devices dev-0001 … and tags each with a site and a type, stable under fleet growth', () => {
    const small = fleetDevices(5, 1);
    const big = fleetDevices(50, 1);
    expect(small.map((d) => d.deviceId)).toEqual([
      'dev-0001',
      'dev-0002',
      'dev-0003',
      'dev-0004',
      'dev-0005',
    ]);
    expect(big.slice(0, 5)).toEqual(small);
    for (const d of big) {
      expect(SITES).toContain(d.tags.site);
      expect(DEVICE_TYPES).toContain(d.tags.type);
    }
    expect(new Set(big.map((d) => d.tags.site)).size).toBeGreaterThan(2);
    expect(deviceIdOf(12344)).toBe('dev-12345');
  });

  it('derives a distinct, stable token per device and seed', () => {
    expect(deviceToken(1, 'dev-0001')).toBe(deviceToken(1, 'dev-0001'));
    expect(deviceToken(1, 'dev-0001')).not.toBe(deviceToken(1, 'dev-0002'));
    expect(deviceToken(1, 'dev-0001')).not.toBe(deviceToken(2, 'dev-0001'));
    expect(deviceToken(1, 'dev-0001')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('Prng', () => {
  it('repeats its stream for a seed and stays in range', () => {
    const a = new Prng(9);
    const b = new Prng(9);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    expect(prngFor(9, 'x').next()).not.toBe(prngFor(9, 'y').next());
  });
});
