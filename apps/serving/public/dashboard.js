// The dashboard: a device's metric with batch and speed points apart, the fleet by site, and pipeline health.
import uPlot from '/vendor/uPlot.esm.js';
import { api, ApiError, askForToken, currentToken } from '/api-client.js';

const BATCH_COLOR = '#1f6feb';
const SPEED_COLOR = '#e36209';
const GROUP_COLORS = ['#1f6feb', '#e36209', '#2da44e', '#8250df', '#cf222e', '#bf8700'];
const REFRESH_MS = 10_000;

const $ = (sel) => document.querySelector(sel);
const charts = new Map();

function iso(ms) {
  return ms ? new Date(ms).toISOString().replace('.000Z', 'Z') : '–';
}

function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function draw(id, opts, data) {
  const el = $(id);
  charts.get(id)?.destroy();
  // uPlot's default y-axis width clips labels such as "42.875"; give values room.
  const axes = [{}, { size: 64 }];
  const chart = new uPlot({ width: el.clientWidth || 600, height: 260, axes, ...opts }, data, el);
  charts.set(id, chart);
}

async function loadDevices() {
  const { devices } = await api('/v1/devices');
  const select = $('#device');
  const chosen = new URLSearchParams(location.search).get('device') ?? select.value;
  select.replaceChildren(
    ...devices.map((d) => {
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.tags.site ? `${d.deviceId} (${d.tags.site})` : d.deviceId;
      return o;
    }),
  );
  if (devices.some((d) => d.deviceId === chosen)) select.value = chosen;
}

async function renderDevice(metric) {
  const deviceId = $('#device').value;
  if (!deviceId) return;
  const s = await api(
    `/v1/series?deviceId=${encodeURIComponent(deviceId)}&metric=${encodeURIComponent(metric)}`,
  );
  const t = s.points.map((p) => p.t / 1000);
  const batch = s.points.map((p) => (p.source === 'batch' ? p.mean : null));
  const speed = s.points.map((p) => (p.source === 'speed' ? p.mean : null));
  const nBatch = batch.filter((v) => v !== null).length;
  $('#device-summary').textContent =
    `${deviceId} · step ${s.step} · ${nBatch} batch, ${s.points.length - nBatch} speed points`;
  $('#device-chart').dataset.batchPoints = String(nBatch);
  $('#device-chart').dataset.speedPoints = String(s.points.length - nBatch);
  draw(
    '#device-chart',
    {
      series: [
        {},
        { label: 'batch mean', stroke: BATCH_COLOR, points: { show: true, size: 4, fill: BATCH_COLOR } },
        { label: 'speed mean', stroke: SPEED_COLOR, points: { show: true, size: 4, fill: SPEED_COLOR } },
      ],
    },
    [t, batch, speed],
  );
}

async function renderFleet(metric) {
  const f = await api(`/v1/fleet?metric=${encodeURIComponent(metric)}&groupBy=site`);
  const times = [...new Set(f.groups.flatMap((g) => g.points.map((p) => p.t)))].sort((a, b) => a - b);
  const data = [times.map((t) => t / 1000)];
  for (const g of f.groups) {
    const byT = new Map(g.points.map((p) => [p.t, p.mean]));
    data.push(times.map((t) => byT.get(t) ?? null));
  }
  $('#fleet-chart').dataset.groups = f.groups.map((g) => g.group).join(',');
  draw(
    '#fleet-chart',
    {
      height: 220,
      series: [
        {},
        ...f.groups.map((g, i) => ({ label: g.group, stroke: GROUP_COLORS[i % GROUP_COLORS.length] })),
      ],
    },
    data,
  );
}

async function renderHealth() {
  const s = await api('/v1/status');
  const set = (field, text) => {
    $(`#health [data-field="${field}"]`).textContent = text;
  };
  set('boundary', iso(s.boundary));
  set('boundary-age', duration(s.boundaryAgeMs));
  set('watermark', iso(s.speed.watermark));
  set('lag', `${s.speed.lag} messages (${s.speed.partitions.length} partitions)`);
  set('late', String(s.speed.late));
  set(
    'dirty-hours',
    s.dirtyHourCount === 0 ? 'none' : `${s.dirtyHourCount}: ${s.dirtyHours.slice(0, 3).map(iso).join(', ')}`,
  );
  set('sealed-through', iso(s.sealedThrough));
}

async function refresh() {
  const metric = $('#metric').value.trim();
  try {
    await Promise.all([renderDevice(metric), renderFleet(metric), renderHealth()]);
    $('#error').textContent = '';
    document.body.dataset.state = 'ready';
  } catch (err) {
    $('#error').textContent = err.message;
    document.body.dataset.state = 'error';
    if (err instanceof ApiError && err.status === 401) {
      await askForToken($('#token-form'));
      return start();
    }
  }
}

async function start() {
  if (!currentToken()) await askForToken($('#token-form'));
  try {
    await loadDevices();
  } catch (err) {
    $('#error').textContent = err.message;
    if (err instanceof ApiError && err.status === 401) {
      await askForToken($('#token-form'));
      return start();
    }
    return;
  }
  await refresh();
}

$('#device').addEventListener('change', refresh);
$('#metric').addEventListener('change', refresh);
setInterval(() => {
  if (document.body.dataset.state === 'ready') refresh();
}, REFRESH_MS);
start();
