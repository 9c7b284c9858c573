#!/usr/bin/env node
// `npm start`: the whole pipeline on one machine — stack, every app, and a simulated fleet — until Ctrl-C.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.LAMBDA_IOT_DATA_DIR ?? join(root, '.data');
const logDir = join(dataDir, 'logs', 'apps');
const token = process.env.SERVING_TOKENS?.split(',')[0] ?? 'demo-token-lambda-iot';
const devices = process.env.DEMO_DEVICES ?? '50';
const rate = process.env.DEMO_RATE ?? '500';
/** History loaded before the live fleet starts: a day gives the anomaly baseline every hour of the daily cycle. */
const history = process.env.DEMO_HISTORY ?? '1d';
/** Labelled anomalies per device per day in the live traffic (spike, drift, stuck, dropout). */
const anomalies = process.env.DEMO_ANOMALIES ?? '4';
const labelsPath = join(dataDir, 'demo-anomaly-labels.ndjson');

const env = process.env;
const mqttUrl = env.MQTT_URL ?? `mqtt://127.0.0.1:${env.MQTT_PORT ?? '1884'}`;

const shared = {
  ...env,
  ARCHIVE_ROOT: env.ARCHIVE_ROOT ?? join(dataDir, 'archive'),
  LOG_LEVEL: env.LOG_LEVEL ?? 'info',
  // The stack's own broker, wherever MQTT_PORT moved it; the gateway logs in with the stack's gateway account
  // (and the simulator provisions device logins with its admin account) under the stack's variables.
  MQTT_URL: mqttUrl,
  ...(env.MQTT_GATEWAY_USERNAME && !env.MQTT_USERNAME ? { MQTT_USERNAME: env.MQTT_GATEWAY_USERNAME } : {}),
  ...(env.MQTT_GATEWAY_PASSWORD && !env.MQTT_PASSWORD ? { MQTT_PASSWORD: env.MQTT_GATEWAY_PASSWORD } : {}),
};

/** Each app: how to start it, and the URL that says it is ready. */
const apps = [
  { name: 'gateway', env: { GATEWAY_PORT: '8080' }, health: 'http://127.0.0.1:8080/healthz' },
  { name: 'speed', env: { OPS_PORT: '9102' }, health: 'http://127.0.0.1:9102/healthz' },
  { name: 'archiver', env: { OPS_PORT: '9103' }, health: 'http://127.0.0.1:9103/healthz' },
  { name: 'batch', env: { OPS_PORT: '9104' }, health: 'http://127.0.0.1:9104/healthz' },
  {
    name: 'serving',
    env: { SERVING_PORT: '8090', SERVING_TOKENS: token },
    health: 'http://127.0.0.1:8090/healthz',
  },
];

const children = [];
let stopping = false;

function step(label, command, args) {
  const started = Date.now();
  process.stdout.write(`${label}… `);
  const res = spawnSync(command, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (res.status !== 0) {
    console.log('failed');
    process.stdout.write(res.stdout);
    process.stderr.write(res.stderr);
    process.exit(1);
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function launch(name, args, env) {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...shared, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); see ${join(logDir, `${name}.log`)}`);
      void stop(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitHealthy(name, url, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.error(
    `${name} did not become healthy in ${timeoutMs / 1000} s; see ${join(logDir, `${name}.log`)}`,
  );
  await stop(1);
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  // Last started first: the simulator stops sending before the layers it feeds go away.
  for (const { name, child } of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      console.log(`  ${name} stopped`);
      continue;
    }
    child.kill('SIGTERM');
    const exited = await Promise.race([
      new Promise((r) => child.once('exit', () => r(true))),
      new Promise((r) => setTimeout(() => r(false), 20_000)),
    ]);
    if (!exited) child.kill('SIGKILL');
    console.log(`  ${name} stopped`);
  }
  console.log('stopped cleanly (the stack keeps running: `npm run stack:down` stops it)');
  process.exit(code);
}

/**
 * The anomaly baseline is fitted by the batch app daily; the demo asks for one as soon as the batch view holds the
 * loaded history (the batch boundary has reached the hour the live fleet started in), so spikes and drifts are
 * scored within minutes instead of after the first night.
 */
async function fitBaselineOnceHistoryIsServed(liveSince) {
  const hour = 3_600_000;
  const deadline = Date.now() + 20 * 60_000;
  // A minute first: on a data folder kept from an earlier run the boundary may already be there, and the history
  // just loaded shows up as dirty hours only once the archiver has written it.
  await new Promise((r) => setTimeout(r, 60_000));
  let settled = 0;
  while (!stopping && Date.now() < deadline && settled < 2) {
    try {
      const res = await fetch('http://127.0.0.1:8090/v1/status', {
        headers: { authorization: `Bearer ${token}` },
      });
      const status = res.ok ? await res.json() : undefined;
      const served = status?.boundary >= Math.floor(liveSince / hour) * hour && status?.dirtyHourCount === 0;
      settled = served ? settled + 1 : 0;
    } catch {
      settled = 0; // The serving app is restarting or not answering yet: ask again.
    }
    await new Promise((r) => setTimeout(r, 5_000));
  }
  if (stopping) return;
  // Not spawnSync: Ctrl-C must still be handled while the fit runs.
  const fit = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [join('apps', 'cli', 'dist', 'main.js'), 'baselines', 'fit', '--wait', '--json'],
      { cwd: root, env: shared },
      (err, stdout, stderr) => resolve({ ok: !err, stdout, stderr }),
    );
  });
  if (stopping) return;
  const result = fit.ok ? JSON.parse(fit.stdout).result : undefined;
  console.log(
    result
      ? `anomaly baseline ${result.version} fitted on ${result.series} series: spikes and drifts are scored now`
      : `anomaly baseline fit failed (${(fit.stderr || fit.stdout).trim()}); run \`npx lambda-iot baselines fit\``,
  );
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const started = Date.now();
mkdirSync(logDir, { recursive: true });
step('stack', 'node', ['infra/local/bin/stack.mjs', 'up', '--quiet']);
step('build', 'npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
const present = apps.filter((app) => existsSync(join(root, 'apps', app.name, 'package.json')));
const missing = apps.filter((app) => !present.includes(app)).map((app) => app.name);
if (missing.length > 0) console.log(`not built yet in this checkout, so not started: ${missing.join(', ')}`);
if (present.length === 0) {
  spawnSync('node', ['infra/local/bin/stack.mjs', 'status'], { cwd: root, stdio: 'inherit' });
  console.log('the stack is up; no pipeline apps exist yet.');
  process.exit(0);
}
for (const app of present) {
  launch(app.name, [join('apps', app.name, 'dist', 'main.js')], app.env);
  await waitHealthy(app.name, app.health);
  console.log(`${app.name} up`);
}
if (existsSync(join(root, 'apps', 'simulator', 'package.json'))) {
  // History first, straight into Kafka, so the batch layer has sealed hours to publish within a minute, the
  // dashboard shows batch (final) and speed (fresh) points side by side, and the anomaly baseline has a day to fit.
  step(`loading ${history} of fleet history`, 'node', [
    join('apps', 'simulator', 'dist', 'main.js'),
    ...[
      '--devices',
      devices,
      '--rate',
      '50',
      '--duration',
      history,
      '--fast',
      '--via',
      'kafka',
      '--seed',
      '42',
    ],
  ]);
  launch(
    'simulator',
    [
      join('apps', 'simulator', 'dist', 'main.js'),
      ...['--devices', devices, '--rate', rate, '--via', 'http', '--duration', '7d'],
      ...['--register-devices', '--faults', 'default', '--seed', '42'],
      ...['--anomalies', anomalies, '--labels', labelsPath],
    ],
    { GATEWAY_URL: 'http://127.0.0.1:8080' },
  );
}
console.log(`simulator sending ${rate} readings/s from ${devices} devices through the gateway`);
console.log(`
ready in ${((Date.now() - started) / 1000).toFixed(0)} s
  dashboard  http://127.0.0.1:8090/?token=${token}
  API        http://127.0.0.1:8090/v1/status   (Authorization: Bearer ${token})
  API docs   http://127.0.0.1:8090/docs
  MQTT       ${mqttUrl}   (username = device id, password = its token; see docs/api.md)
  logs       ${logDir}
  anomalies  ${anomalies} per device per day from about 45 minutes on (labels: ${labelsPath});
             stuck sensors, silences and out-of-range readings are alerted at once, spikes and drifts
             once the baseline is fitted (below)
Ctrl-C stops everything started here.`);
void fitBaselineOnceHistoryIsServed(Date.now());
