// The behaviour every DeviceRegistry must show, run against each implementation.
import { ManualClock } from '@lambda-iot/core';
import type { DeviceRegistry } from '../device-registry';

export interface RegistryUnderTest {
  registry: DeviceRegistry;
  /** Everything the implementation persisted, as text, so tests can look for leaked secrets. */
  storedText(): Promise<string>;
  /** A second instance over the same storage, as after a restart. */
  reopen(): Promise<DeviceRegistry>;
  cleanup(): Promise<void>;
}

export function describeDeviceRegistryConformance(
  name: string,
  factory: (clock: ManualClock) => Promise<RegistryUnderTest>,
): void {
  describe(`${name} (DeviceRegistry conformance)`, () => {
    let clock: ManualClock;
    let under: RegistryUnderTest;
    let registry: DeviceRegistry;

    beforeEach(async () => {
      clock = new ManualClock(Date.UTC(2026, 0, 1));
      under = await factory(clock);
      registry = under.registry;
    });
    afterEach(async () => {
      await under.cleanup();
    });

    it('registers a device with tags and the time of registration', async () => {
      await registry.register({
        deviceId: 'dev-1',
        tags: { site: 'berlin', type: 'pump' },
        token: 'secret-1',
      });
      expect(await registry.get('dev-1')).toEqual({
        deviceId: 'dev-1',
        tags: { site: 'berlin', type: 'pump' },
        registeredAt: clock.now(),
      });
      expect(await registry.get('dev-2')).toBeUndefined();
    });

    it('accepts only the right token of the right device', async () => {
      await registry.register({ deviceId: 'dev-1', tags: {}, token: 'secret-1' });
      await registry.register({ deviceId: 'dev-2', tags: {}, token: 'secret-2' });
      expect(await registry.verifyToken('dev-1', 'secret-1')).toBe(true);
      expect(await registry.verifyToken('dev-1', 'secret-2')).toBe(false);
      expect(await registry.verifyToken('dev-1', 'secret-1x')).toBe(false);
      expect(await registry.verifyToken('dev-1', '')).toBe(false);
      expect(await registry.verifyToken('dev-3', 'secret-1')).toBe(false);
    });

    it('never stores a token in clear, and salts equal tokens apart', async () => {
      await registry.register({ deviceId: 'dev-1', tags: {}, token: 'the-clear-token-value' });
      await registry.register({ deviceId: 'dev-2', tags: {}, token: 'the-clear-token-value' });
      const stored = await under.storedText();
      expect(stored).not.toContain('the-clear-token-value');
      const hashes = stored.match(/sha256\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+/g) ?? [];
      expect(hashes).toHaveLength(2);
      expect(hashes[0]).not.toBe(hashes[1]);
    });

    it('updates tags without losing the token or the first registration time; a new token replaces the old', async () => {
      const first = clock.now();
      await registry.register({ deviceId: 'dev-1', tags: { site: 'oslo' }, token: 'old' });
      clock.advance(60_000);
      await registry.register({ deviceId: 'dev-1', tags: { site: 'paris' } });
      expect(await registry.get('dev-1')).toEqual({
        deviceId: 'dev-1',
        tags: { site: 'paris' },
        registeredAt: first,
      });
      expect(await registry.verifyToken('dev-1', 'old')).toBe(true);
      await registry.register({ deviceId: 'dev-1', tags: { site: 'paris' }, token: 'new' });
      expect(await registry.verifyToken('dev-1', 'old')).toBe(false);
      expect(await registry.verifyToken('dev-1', 'new')).toBe(true);
    });

    it('registers many devices at once, each with its own token, as one register each would', async () => {
      await registry.register({ deviceId: 'dev-0', tags: { site: 'oslo' }, token: 'old-0' });
      clock.advance(1_000);
      await registry.registerMany([
        { deviceId: 'dev-0', tags: { site: 'rome' }, token: 'new-0' },
        { deviceId: 'dev-1', tags: { site: 'lima' }, token: 'tok-1' },
        { deviceId: 'dev-2', tags: {} },
      ]);
      expect(await registry.list()).toEqual([
        { deviceId: 'dev-0', tags: { site: 'rome' }, registeredAt: clock.now() - 1_000 },
        { deviceId: 'dev-1', tags: { site: 'lima' }, registeredAt: clock.now() },
        { deviceId: 'dev-2', tags: {}, registeredAt: clock.now() },
      ]);
      expect(await registry.verifyToken('dev-0', 'old-0')).toBe(false);
      expect(await registry.verifyToken('dev-0', 'new-0')).toBe(true);
      expect(await registry.verifyToken('dev-1', 'tok-1')).toBe(true);
      expect(await registry.verifyToken('dev-2', '')).toBe(false);
      await registry.registerMany([]);
      expect(await registry.list()).toHaveLength(3);
    });

    it('registers none of a batch that holds an invalid id', async () => {
      await expect(
        registry.registerMany([
          { deviceId: 'dev-ok', tags: {}, token: 't' },
          { deviceId: 'bad id', tags: {}, token: 't' },
        ]),
      ).rejects.toMatchObject({ code: 'invalid_device_id' });
      expect(await registry.list()).toEqual([]);
    });

    it('knows a device registered without a token but never authenticates it', async () => {
      await registry.register({ deviceId: 'dev-1', tags: { type: 'hvac' } });
      expect(await registry.get('dev-1')).toMatchObject({ tags: { type: 'hvac' } });
      expect(await registry.verifyToken('dev-1', '')).toBe(false);
      expect(await registry.verifyToken('dev-1', 'anything')).toBe(false);
    });

    it('lists devices sorted by id and forgets removed ones, token included', async () => {
      await registry.register({ deviceId: 'dev-b', tags: {}, token: 't' });
      await registry.register({ deviceId: 'dev-a', tags: {}, token: 't' });
      expect((await registry.list()).map((d) => d.deviceId)).toEqual(['dev-a', 'dev-b']);
      await registry.remove('dev-b');
      await registry.remove('dev-missing');
      expect((await registry.list()).map((d) => d.deviceId)).toEqual(['dev-a']);
      expect(await registry.verifyToken('dev-b', 't')).toBe(false);
    });

    it('keeps everything across a restart', async () => {
      await registry.register({ deviceId: 'dev-1', tags: { site: 'madrid' }, token: 'tok' });
      const again = await under.reopen();
      expect(await again.get('dev-1')).toEqual(await registry.get('dev-1'));
      expect(await again.verifyToken('dev-1', 'tok')).toBe(true);
    });

    it('refuses ids outside the reading contract', async () => {
      await expect(registry.register({ deviceId: 'bad id/', tags: {}, token: 't' })).rejects.toMatchObject({
        code: 'invalid_device_id',
      });
      await expect(registry.register({ deviceId: '', tags: {}, token: 't' })).rejects.toMatchObject({
        code: 'invalid_device_id',
      });
    });
  });
}
