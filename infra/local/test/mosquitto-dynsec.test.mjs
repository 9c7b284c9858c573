// The broker's account file as the stack writes it before each start: fixed accounts rewritten, device logins kept.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FIXED_ROLES, staleAccounts, writeDynsecState } from '../lib/mosquitto-dynsec.mjs';

const accounts = {
  admin: { username: 'admin', password: 'admin-pw' },
  gateway: { username: 'gateway', password: 'gateway-pw' },
};
let dir;
let file;
const read = () => JSON.parse(fs.readFileSync(file, 'utf8'));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dynsec-'));
  file = path.join(dir, 'dynamic-security.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeDynsecState', () => {
  it('creates the admin and gateway accounts, hashed, with nothing allowed by default', () => {
    writeDynsecState(file, accounts);
    const state = read();
    assert.deepEqual(state.clients.map((c) => [c.username, c.roles]).sort(), [
      ['admin', [{ rolename: 'admin' }]],
      ['gateway', [{ rolename: 'gateway' }]],
    ]);
    assert.ok(!fs.readFileSync(file, 'utf8').includes('gateway-pw'));
    assert.deepEqual(state.roles.find((r) => r.rolename === 'gateway').acls, FIXED_ROLES.gateway);
    assert.equal(state.defaultACLAccess.publishClientSend, false);
    assert.equal(state.defaultACLAccess.subscribe, false);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(staleAccounts(file, accounts), []);
  });

  it('tells which fixed login no longer matches the configured password', () => {
    writeDynsecState(file, accounts);
    const changed = { ...accounts, gateway: { username: 'gateway', password: 'new' } };
    assert.deepEqual(staleAccounts(file, changed), ['gateway']);
    writeDynsecState(file, changed);
    assert.deepEqual(staleAccounts(file, changed), []);
    assert.deepEqual(staleAccounts(path.join(dir, 'missing.json'), accounts), ['admin', 'gateway']);
  });

  it('keeps device logins and their roles, and drops a fixed account left under an old name', () => {
    writeDynsecState(file, accounts);
    const state = read();
    state.clients.push({
      username: 'dev-1',
      roles: [{ rolename: 'device:dev-1' }],
      password: 'x',
      salt: 'y',
    });
    state.roles.push({ rolename: 'device:dev-1', acls: [] });
    fs.writeFileSync(file, JSON.stringify(state));
    writeDynsecState(file, { ...accounts, admin: { username: 'root', password: 'p' } });
    const after = read();
    assert.deepEqual(after.clients.map((c) => c.username).sort(), ['dev-1', 'gateway', 'root']);
    assert.ok(after.roles.some((r) => r.rolename === 'device:dev-1'));
    assert.equal(after.roles.filter((r) => r.rolename === 'admin').length, 1);
  });

  it('refuses to overwrite a file that is not a dynamic-security state', () => {
    fs.writeFileSync(file, 'not json');
    assert.throws(() => writeDynsecState(file, accounts), /not a dynamic-security JSON file/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'not json');
  });
});
