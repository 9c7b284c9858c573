// The dashboard: a device's metric with batch and speed points apart and its alerts marked, the fleet by site,
// every open alert, and pipeline health.
import uPlot from '/vendor/uPlot.esm.js';
import { api, ApiError, askForToken, currentToken } from '/api-client.js';

const BATCH_COLOR = '#1f6feb';
const SPEED_COLOR = '#e36209';
const GROUP_COLORS = ['#1f6feb', '#e36209', '#2da44e', '#8250df', '#cf222e', '#bf8700'];
const REFRESH_MS = 10_000;
/** Alert intervals on the device chart: a translucent band, a solid left edge and the kind as a label. */
const ALERT_FILL = 'rgba(207, 34, 46, 0.16)';
const ALERT_EDGE = '#cf222e';
const DAY_MS = 86_400_000;

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

/** False once the server said it serves no alerts (an app without alert stores): the panels say so, once. */
let alertsServed = true;

async function alertsApi(path) {
  if (!alertsServed) return [];
  try {
    return (await api(path)).alerts;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    alertsServed = false;
    $('#alerts-summary').textContent = '(not served by this deployment)';
    return [];
  }
}

/**
 * The device's alerts on the shown metric that overlap [from, to). Alerts are listed by opening time, so a
 * day more is asked for: one opened before the chart and still open (or resolved inside it) is shown too.
 */
async function deviceAlerts(deviceId, metric, from, to) {
  const alerts = await alertsApi(
    `/v1/alerts?deviceId=${encodeURIComponent(deviceId)}&from=${Math.max(0, from - DAY_MS)}&to=${to}&state=all`,
  );
  return alerts.filter((a) => a.metric === metric && (a.resolvedAt ?? to) > from && a.openedAt < to);
}

/** A uPlot plugin shading each alert's interval [openedAt, resolvedAt or the chart's end) under the series. */
function alertBands(alerts, until) {
  return {
    hooks: {
      drawClear: [
        (u) => {
          const { ctx, bbox } = u;
          const px = devicePixelRatio;
          ctx.save();
          ctx.font = `${11 * px}px system-ui, sans-serif`;
          for (const a of alerts) {
            const x0 = Math.max(bbox.left, u.valToPos(a.openedAt / 1000, 'x', true));
            const x1 = Math.min(
              bbox.left + bbox.width,
              u.valToPos((a.resolvedAt ?? until) / 1000, 'x', true),
            );
            const width = Math.max(x1 - x0, 3 * px);
            ctx.fillStyle = ALERT_FILL;
            ctx.fillRect(x0, bbox.top, width, bbox.height);
            ctx.fillStyle = ALERT_EDGE;
            ctx.fillRect(x0, bbox.top, 2 * px, bbox.height);
            ctx.fillText(a.state === 'open' ? `${a.kind} (open)` : a.kind, x0 + 4 * px, bbox.top + 12 * px);
          }
          ctx.restore();
        },
      ],
    },
  };
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
  const alerts = await deviceAlerts(deviceId, metric, s.from, s.to);
  const t = s.points.map((p) => p.t / 1000);
  const batch = s.points.map((p) => (p.source === 'batch' ? p.mean : null));
  const speed = s.points.map((p) => (p.source === 'speed' ? p.mean : null));
  const nBatch = batch.filter((v) => v !== null).length;
  $('#device-summary').textContent =
    `${deviceId} · step ${s.step} · ${nBatch} batch, ${s.points.length - nBatch} speed points`;
  $('#device-chart').dataset.batchPoints = String(nBatch);
  $('#device-chart').dataset.speedPoints = String(s.points.length - nBatch);
  $('#device-chart').dataset.alerts = alerts.map((a) => a.id).join(',');
  draw(
    '#device-chart',
    {
      plugins: [alertBands(alerts, s.to)],
      // The x range is the asked range, so an alert after the last point still has its place.
      scales: { x: { time: true, range: () => [s.from / 1000, s.to / 1000] } },
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

function kindLabel(kind) {
  return kind.replace('_', ' ');
}

/** Every open alert, newest first; choosing one shows its device and metric on the chart. */
async function renderOpenAlerts() {
  const alerts = await alertsApi('/v1/alerts?state=open&from=0');
  if (!alertsServed) return;
  const body = $('#open-alerts tbody');
  body.replaceChildren(
    ...[...alerts].reverse().map((a) => {
      const row = document.createElement('tr');
      row.dataset.alertId = a.id;
      row.className = `kind-${a.kind}`;
      const cells = [a.deviceId, a.metric, kindLabel(a.kind), iso(a.openedAt), a.score.toFixed(1)];
      row.append(
        ...cells.map((text) => {
          const td = document.createElement('td');
          td.textContent = text;
          return td;
        }),
      );
      row.addEventListener('click', () => {
        if ([...$('#device').options].some((o) => o.value === a.deviceId)) $('#device').value = a.deviceId;
        $('#metric').value = a.metric;
        refresh();
      });
      return row;
    }),
  );
  $('#open-alerts').hidden = alerts.length === 0;
  $('#alerts-summary').textContent = alerts.length === 0 ? 'none' : String(alerts.length);
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
    await Promise.all([renderDevice(metric), renderFleet(metric), renderHealth(), renderOpenAlerts()]);
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
