import { ConfigError } from '@lambda-iot/core';
import { parseCli } from './cli-options';
import { loadConfig } from './config';

describe('simulator command line', () => {
  it('has defaults for a one-minute run of 50 devices into Kafka', () => {
    expect(parseCli([])).toEqual({
      devices: 50,
      rate: 1000,
      durationMs: 60_000,
      seed: 42,
      via: 'kafka',
      faults: 'default',
      fast: false,
      envelopeSize: 100,
      concurrency: 16,
      registerDevices: false,
      anomaliesPerDay: 0,
      help: false,
    });
  });

  it('reads every flag', () => {
    const o = parseCli([
      '--devices',
      '5',
      '--rate',
      '250.5',
      '--duration',
      '2h',
      '--seed',
      '7',
      '--via',
      'mqtt',
      '--faults',
      'none',
      '--fast',
      '--envelope-size',
      '10',
      '--ground-truth',
      '/tmp/t.ndjson',
      '--register-devices',
      '--token-for',
      'dev-0001',
      '--anomalies',
      '4',
      '--labels',
      '/tmp/labels.ndjson',
    ]);
    expect(o).toMatchObject({
      devices: 5,
      rate: 250.5,
      durationMs: 7_200_000,
      seed: 7,
      via: 'mqtt',
      faults: 'none',
      fast: true,
      envelopeSize: 10,
      groundTruth: '/tmp/t.ndjson',
      registerDevices: true,
      tokenFor: 'dev-0001',
      anomaliesPerDay: 4,
      labels: '/tmp/labels.ndjson',
    });
  });

  it('reports every bad flag at once', () => {
    let caught: unknown;
    try {
      parseCli([
        '--devices',
        '0',
        '--rate',
        'x',
        '--via',
        'pigeon',
        '--duration',
        'soon',
        '--anomalies',
        '12',
      ]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toHaveLength(5);
  });

  it('takes connection defaults from the environment', () => {
    expect(loadConfig({ GATEWAY_URL: 'http://gw:9000', READINGS_TOPIC: 'r2' })).toMatchObject({
      gatewayUrl: 'http://gw:9000',
      readingsTopic: 'r2',
      mqttUrl: 'mqtt://127.0.0.1:1884',
      mqttAdmin: { username: 'admin', password: 'lambda-iot-admin' },
    });
    expect(() => loadConfig({ GATEWAY_URL: 'gw:9000' })).toThrow(ConfigError);
    expect(() => loadConfig({ MQTT_URL: '127.0.0.1:1884' })).toThrow(ConfigError);
  });

  it('provisions broker logins with the admin account from the environment, unless MQTT_PROVISION=false', () => {
    expect(loadConfig({ MQTT_ADMIN_USERNAME: 'ops', MQTT_ADMIN_PASSWORD: 'pw' }).mqttAdmin).toEqual({
      username: 'ops',
      password: 'pw',
    });
    expect(loadConfig({ MQTT_PROVISION: 'false' }).mqttAdmin).toBeUndefined();
  });
});
