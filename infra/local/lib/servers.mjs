// The four servers in start order, and selection of a subset by name for `up kafka redis` and friends.
import cassandra from './cassandra.mjs';
import kafka from './kafka.mjs';
import mosquitto from './mosquitto.mjs';
import redis from './redis.mjs';

export const all = [kafka, cassandra, redis, mosquitto];

// Users think "mqtt" as often as "mosquitto".
const aliases = { mqtt: 'mosquitto' };

export function select(names) {
  if (names.length === 0) return all;
  return names.map((raw) => {
    const name = aliases[raw] ?? raw;
    const server = all.find((s) => s.name === name);
    if (!server) throw new Error(`unknown server "${raw}" (known: ${all.map((s) => s.name).join(', ')})`);
    return server;
  });
}
