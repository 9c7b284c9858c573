import { ConfigError } from '@lambda-iot/core';
import { loadConfig } from './config';
import { deviceIdOfTopic } from './mqtt-ingest';

describe('gateway config', () => {
  it('has working defaults for the local stack', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      bodyLimit: 1_048_576,
      registry: { kind: 'redis' },
      mqtt: {
        enabled: true,
        url: 'mqtt://127.0.0.1:1884',
        username: 'gateway',
        password: 'lambda-iot-gateway',
        shareGroup: 'gateway',
      },
      readingsTopic: 'readings',
      deadLetterTopic: 'readings.dlq',
      readingsPartitions: 6,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ GATEWAY_DEVICE_REGISTRY: 'file', GATEWAY_PORT: 'http', MQTT_URL: 'tcp://x' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toHaveLength(3);
    }
  });

  it('takes the gateway’s MQTT login from MQTT_USERNAME and MQTT_PASSWORD (never anonymous)', () => {
    expect(loadConfig({ MQTT_USERNAME: 'gw-2', MQTT_PASSWORD: ' s3cret ' }).mqtt).toMatchObject({
      username: 'gw-2',
      password: ' s3cret ',
    });
    expect(loadConfig({ MQTT_USERNAME: '', MQTT_PASSWORD: '' }).mqtt).toMatchObject({
      username: 'gateway',
      password: 'lambda-iot-gateway',
    });
  });

  it('reads the file registry path', () => {
    expect(
      loadConfig({ GATEWAY_DEVICE_REGISTRY: 'file', GATEWAY_DEVICE_FILE: '/tmp/d.json' }).registry,
    ).toEqual({ kind: 'file', path: '/tmp/d.json' });
  });
});

describe('deviceIdOfTopic', () => {
  it('takes the id from devices/<id>/readings only', () => {
    expect(deviceIdOfTopic('devices/dev-0001/readings')).toBe('dev-0001');
    expect(deviceIdOfTopic('devices//readings')).toBeUndefined();
    expect(deviceIdOfTopic('devices/a/b/readings')).toBeUndefined();
    expect(deviceIdOfTopic('other/dev/readings')).toBeUndefined();
  });
});
