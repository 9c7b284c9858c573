import { HOUR_MS, hourStart, RESOLUTION_MS, windowStart, type Resolution } from '@lambda-iot/core';
import { METRICS, fleetDevices, type TrafficOptions } from '@lambda-iot/simulator';
import { eventually } from '@lambda-iot/testkit';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectedWindows, type ExpectedWindow } from './ground-truth-oracle';
import { sendFleetTraffic } from './fleet-traffic';
import { PipelineUnderTest, type AppName } from './pipeline-under-test';
import { compareWindows, fetchSeries, type Mismatch } from './served-answers';

const STEPS: readonly Resolution[] = ['1m', '1h', '1d'];

interface PipelineStatusBody {
  boundary: number;
  dirtyHourCount: number;
  sealedThrough: number | null;
  speed: { lag: number; partitions: Array<{ partition: number; lag: number; updatedAt: number }> };
}

/**
 * The speed layer keeps windows open for 4 h here, so every reading the simulator sends (hours-late backlogs
 * included) is "on time" for it and the speed view must match the ground truth exactly too; lateness itself is
 * specified by the speed layer's own tests.
 */
const SPEED_ENV = {
  SPEED_ALLOWED_LATENESS: '4h',
  SPEED_FLUSH_INTERVAL: '200ms',
  SPEED_STATUS_INTERVAL: '500ms',
  // A SIGKILLed member holds its partitions until the group's session times out; keep recovery short.
  SPEED_SESSION_TIMEOUT: '10s',
};

async function runScenario(
  seed: number,
  during: (pipeline: PipelineUnderTest) => Promise<void>,
): Promise<{ windows: number; mismatches: Mismatch[]; boundary: number; readings: number }> {
  const pipeline = new PipelineUnderTest({ partitions: 2, env: { speed: SPEED_ENV } });
  try {
    await pipeline.start();
    // Three simulated hours ending at the last full hour: two of them seal (archive lateness 10 min), one stays
    // above the boundary and is answered by the speed view.
    const end = hourStart(Date.now());
    const traffic: TrafficOptions = {
      seed,
      devices: 8,
      startTime: end - 3 * HOUR_MS,
      durationMs: 3 * HOUR_MS,
      readingsPerSecond: 2,
    };
    const sent = await sendFleetTraffic(pipeline, traffic, () => during(pipeline));
    const truthPath = join(pipeline.archiveRoot, '..', `${pipeline.id}-truth.ndjson`);
    await sent.truth.writeNdjson(truthPath);

    // Converged: the batch layer published both sealed hours with nothing dirty, and the speed layer has no lag.
    const expectedBoundary = end - HOUR_MS;
    let lastStatus: unknown;
    await eventually(
      async () => {
        const res = await fetch(`${pipeline.servingUrl}/v1/status`, {
          headers: { authorization: `Bearer ${pipeline.servingToken}` },
        });
        const status = (await res.json()) as PipelineStatusBody;
        lastStatus = status;
        expect(status.boundary).toBe(expectedBoundary);
        expect(status.dirtyHourCount).toBe(0);
        // Reports from the current speed process only: a killed one leaves its last (stale) report behind.
        const speedStarted = pipeline.startedAt.get('speed') ?? 0;
        expect(status.speed.partitions.length).toBe(2);
        expect(status.speed.partitions.every((p) => p.lag === 0 && p.updatedAt > speedStarted)).toBe(true);
      },
      { timeoutMs: 240_000, intervalMs: 1_000 },
    ).catch((err: unknown) => {
      throw new Error(
        `pipeline did not converge: ${String(err)}\nlast /v1/status: ${JSON.stringify(lastStatus)}\n${pipeline.tails()}`,
      );
    });

    const mismatches: Mismatch[] = [];
    let windows = 0;
    let boundary = 0;
    for (const step of STEPS) {
      const expected = await expectedWindows(truthPath, step);
      const from = windowStart(traffic.startTime - HOUR_MS, step);
      const to = windowStart(end, step) + RESOLUTION_MS[step];
      const byDeviceMetric = new Map<string, ExpectedWindow[]>();
      for (const e of expected.values())
        byDeviceMetric.set(`${e.deviceId}|${e.metric}`, [
          ...(byDeviceMetric.get(`${e.deviceId}|${e.metric}`) ?? []),
          e,
        ]);
      for (const device of fleetDevices(traffic.devices, seed)) {
        for (const metric of METRICS) {
          // The speed view may still be flushing its last minute: retry a series until it matches or time runs out.
          let last: Mismatch[] = [];
          await eventually(
            async () => {
              const answer = await fetchSeries(pipeline.servingUrl, pipeline.servingToken, {
                deviceId: device.deviceId,
                metric,
                step,
                from,
                to,
              });
              boundary = answer.boundary;
              last = compareWindows(device.deviceId, metric, answer.points, expected, { from, to });
              if (last.length > 0) throw new Error('mismatch');
              windows += answer.points.length;
            },
            { timeoutMs: 15_000, intervalMs: 500 },
          ).catch(() => mismatches.push(...last));
        }
      }
    }
    return { windows, mismatches, boundary, readings: sent.truth.size };
  } finally {
    await pipeline.close();
  }
}

describe('the whole pipeline, end to end', () => {
  it('serves exactly the ground truth for every device, metric and step, through HTTP, MQTT and Kafka', async () => {
    const result = await runScenario(11, async () => undefined);
    await writeFile(
      join(__dirname, '..', 'e2e-result.json'),
      JSON.stringify({ suite: 'steady', ...result, mismatches: result.mismatches.slice(0, 20) }, null, 2),
    );
    expect(result.mismatches.slice(0, 5)).toEqual([]);
    expect(result.windows).toBeGreaterThan(1_000);
  });

  it('serves the same exact answers when speed, archiver and batch are SIGKILLed mid-stream', async () => {
    const victims: AppName[] = ['speed', 'archiver', 'batch', 'speed', 'archiver'];
    const result = await runScenario(12, async (pipeline) => {
      for (const victim of victims) {
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.floor(Math.random() * 700)));
        await pipeline.crash(victim);
      }
    });
    await writeFile(
      join(__dirname, '..', 'e2e-chaos-result.json'),
      JSON.stringify(
        {
          suite: 'chaos',
          ...result,
          mismatchCount: result.mismatches.length,
          mismatches: result.mismatches.slice(0, 20),
        },
        null,
        2,
      ),
    );
    expect(result.mismatches.slice(0, 5)).toEqual([]);
    expect(result.windows).toBeGreaterThan(1_000);
  });
});
