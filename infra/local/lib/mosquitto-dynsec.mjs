// The dynamic-security state of the stack's Mosquitto: fixed admin and gateway accounts, device accounts kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Mosquitto 2.0's dynamic-security plugin stores PBKDF2-HMAC-SHA512 over a 12-byte salt; 101 is its own
// default iteration count (mosquitto_ctrl dynsec init writes the same), so hashes we write are ones it accepts.
const SALT_BYTES = 12;
const ITERATIONS = 101;

function hashed(password) {
  const salt = crypto.randomBytes(SALT_BYTES);
  return {
    password: crypto.pbkdf2Sync(password, salt, ITERATIONS, 64, 'sha512').toString('base64'),
    salt: salt.toString('base64'),
    iterations: ITERATIONS,
  };
}

function matches(password, client) {
  if (typeof client?.salt !== 'string' || typeof client?.password !== 'string') return false;
  const iterations = Number.isInteger(client.iterations) ? client.iterations : ITERATIONS;
  const expected = Buffer.from(client.password, 'base64');
  const actual = crypto.pbkdf2Sync(password, Buffer.from(client.salt, 'base64'), iterations, 64, 'sha512');
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

const allow = (acltype, topic) => ({ acltype, topic, allow: true });

// Mosquitto 2.0 matches a shared subscription's ACL against the whole `$share/<group>/…` filter, and its
// dynamic-security ACLs know no %u/%c patterns, so devices get one role each (made when they are provisioned).
export const FIXED_ROLES = {
  admin: [
    allow('publishClientSend', '$CONTROL/dynamic-security/#'),
    allow('publishClientReceive', '$CONTROL/dynamic-security/#'),
    allow('subscribePattern', '$CONTROL/dynamic-security/#'),
    allow('publishClientReceive', '$SYS/#'),
    allow('subscribePattern', '$SYS/#'),
    // The admin can grant itself anything through $CONTROL anyway; saying so keeps debugging with it simple.
    allow('publishClientSend', '#'),
    allow('publishClientReceive', '#'),
    allow('subscribePattern', '#'),
    allow('unsubscribePattern', '#'),
  ],
  gateway: [
    allow('subscribePattern', 'devices/+/readings'),
    allow('subscribePattern', '$share/+/devices/+/readings'),
    allow('publishClientReceive', 'devices/+/readings'),
  ],
};

// Nothing is allowed unless a role says so; receiving stays open because only subscriptions deliver anything.
const DEFAULT_ACL_ACCESS = {
  publishClientSend: false,
  publishClientReceive: true,
  subscribe: false,
  unsubscribe: true,
};

function load(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return { clients: [], roles: [], groups: [] };
    throw err;
  }
  let state;
  try {
    state = JSON.parse(text);
  } catch {
    state = undefined;
  }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new Error(
      `${file} is not a dynamic-security JSON file; move it away (the broker's device accounts are in it) and run up again`,
    );
  }
  return state;
}

/**
 * Writes `file` so the broker starts with the admin and gateway accounts and roles as configured now (passwords
 * re-hashed, so a changed MQTT_ADMIN_PASSWORD takes effect), keeping every other client, role and group: the
 * device accounts provisioned earlier survive restarts. Only called while our broker is not running.
 */
export function writeDynsecState(file, accounts) {
  const state = load(file);
  const fixedNames = new Set(Object.values(accounts).map((a) => a.username));
  const fixedRoles = new Set(Object.keys(FIXED_ROLES));
  // An account of a fixed role under an old name (the variable was changed since) is dropped, not kept alive.
  const clients = (Array.isArray(state.clients) ? state.clients : []).filter(
    (c) =>
      !fixedNames.has(c?.username) &&
      !(Array.isArray(c?.roles) && c.roles.some((r) => fixedRoles.has(r?.rolename))),
  );
  const roles = (Array.isArray(state.roles) ? state.roles : []).filter((r) => !fixedRoles.has(r?.rolename));
  for (const [role, acls] of Object.entries(FIXED_ROLES)) roles.push({ rolename: role, acls });
  for (const [role, account] of Object.entries(accounts)) {
    clients.push({
      username: account.username,
      textname: `lambda-iot ${role}`,
      roles: [{ rolename: role }],
      ...hashed(account.password),
    });
  }
  const next = {
    ...state,
    clients,
    roles,
    groups: Array.isArray(state.groups) ? state.groups : [],
    defaultACLAccess: DEFAULT_ACL_ACCESS,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The fixed roles (admin, gateway) whose stored login differs from `accounts`, e.g. after a password change. */
export function staleAccounts(file, accounts) {
  let state;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return Object.keys(accounts);
  }
  const clients = Array.isArray(state?.clients) ? state.clients : [];
  return Object.entries(accounts)
    .filter(([role, account]) => {
      const client = clients.find((c) => c?.username === account.username);
      return (
        !client || !client.roles?.some((r) => r?.rolename === role) || !matches(account.password, client)
      );
    })
    .map(([role]) => role);
}
