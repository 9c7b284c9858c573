// Ports, host and directories of the local stack, resolved once from the environment with loopback defaults.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function port(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${raw} is not a TCP port`);
  return n;
}

export const infraDir = path.resolve(here, '..');
export const repoRoot = path.resolve(infraDir, '../..');
export const dataDir = path.resolve(process.env.LAMBDA_IOT_DATA_DIR || path.join(repoRoot, '.data'));
export const logsDir = path.join(dataDir, 'logs');
export const pidsDir = path.join(dataDir, 'pids');
export const lockFile = path.join(dataDir, 'stack.lock');
export const jarsRoot = path.join(infraDir, 'jars');
export const mavenRoot = path.join(infraDir, 'maven');

// Everything binds to IPv4 loopback: the stack is for one developer's machine and must never be reachable from outside.
export const host = '127.0.0.1';

export const ports = {
  kafka: port('KAFKA_PORT', 9092),
  kafkaController: port('KAFKA_CONTROLLER_PORT', 9093),
  cassandra: port('CASSANDRA_PORT', 9042),
  // Not part of the public contract, but a second stack on other ports would collide on gossip without it.
  cassandraStorage: port('CASSANDRA_STORAGE_PORT', 7000),
  redis: port('REDIS_PORT', 6379),
  // Not 1883: a system Mosquitto there (Debian's, anonymous) is left to whoever else uses it.
  mqtt: port('MQTT_PORT', 1884),
};

function login(prefix, username, password) {
  const u = process.env[`${prefix}_USERNAME`];
  const p = process.env[`${prefix}_PASSWORD`];
  return {
    username: u === undefined || u === '' ? username : u,
    password: p === undefined || p === '' ? password : p,
  };
}

// The broker's two fixed accounts. Local-development credentials, documented in the README; override them
// for anything reachable by others. Device accounts are not here: they are provisioned from the device registry.
export const mqttAccounts = {
  admin: login('MQTT_ADMIN', 'admin', 'lambda-iot-admin'),
  gateway: login('MQTT_GATEWAY', 'gateway', 'lambda-iot-gateway'),
};

export const serverDataDir = (name) => path.join(dataDir, name);
export const logFile = (name) => path.join(logsDir, `${name}.log`);
export const pidFile = (name) => path.join(pidsDir, `${name}.pid`);

/** A path as the user would type it: relative inside the current directory, absolute elsewhere. */
export function shown(p) {
  const rel = path.relative(process.cwd(), p);
  return rel === '' || rel.startsWith('..') ? p : rel;
}
