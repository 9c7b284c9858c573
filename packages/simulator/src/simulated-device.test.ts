import { fleetDevices } from './fleet';
import { simulatedDevices } from './simulated-device';

describe('simulatedDevices', () => {
  it("are the seed's fleet, each with a profile of its own and a sampling offset inside the period", () => {
    const devices = simulatedDevices(80, 5, 10_000);
    expect(devices.map((d) => [d.deviceId, d.type])).toEqual(
      fleetDevices(80, 5).map((d) => [d.deviceId, d.tags.type]),
    );
    expect(new Set(devices.map((d) => d.profile.phase)).size).toBe(80);
    for (const d of devices) {
      expect(d.offset).toBeGreaterThanOrEqual(0);
      expect(d.offset).toBeLessThan(10_000);
    }
    expect(new Set(devices.map((d) => d.offset)).size).toBe(80);
    // a fleet of 12 is the first 12 of a fleet of 80, profiles and offsets included
    expect(simulatedDevices(12, 5, 10_000)).toEqual(devices.slice(0, 12));
  });
});
