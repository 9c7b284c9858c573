// `lambda-iot query series`: one device's metric from the serving API, as a table or CSV.
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type Command, type CommandIo } from '../command';
import type { CliConfig } from '../config';
import { parseTimeArg } from '../time-arg';

const USAGE = `Usage: lambda-iot query series --device <id> --metric <name> [--from <time>] [--to <time>] [--step 1m|1h|1d] [--csv]

Prints the merged series (batch view below the boundary, speed view above it) from the serving API.
Times are epoch milliseconds or ISO-8601; the default range is the last 24 hours.

Options:
  --device <id>      device id (required)
  --metric <name>    metric name (required)
  --from, --to       range; defaults: 24 h ago, now
  --step <step>      1m, 1h or 1d; the API picks one when omitted
  --csv              print CSV instead of a table
  --url <url>        serving API (env SERVING_URL, default http://127.0.0.1:8090)
  --token <token>    bearer token (env SERVING_TOKEN)
  -h, --help         show this help`;

interface Point {
  t: number;
  count: number;
  mean: number;
  min: number;
  max: number;
  stddev: number;
  first: number;
  last: number;
  source: string;
  final: boolean;
}

const COLUMNS = ['t', 'count', 'mean', 'min', 'max', 'stddev', 'first', 'last', 'source', 'final'] as const;

export function querySeriesCommand(
  loadConfig: () => Readonly<CliConfig>,
  fetchImpl: typeof fetch = fetch,
): Command {
  return {
    path: ['query', 'series'],
    summary: 'print a device metric over time from the serving API (table or CSV)',
    usage: USAGE,
    async run(args: readonly string[], io: CommandIo): Promise<number> {
      const { values } = parseArgs({
        args: [...args],
        options: {
          device: { type: 'string' },
          metric: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          step: { type: 'string' },
          csv: { type: 'boolean', default: false },
          url: { type: 'string' },
          token: { type: 'string' },
        },
        strict: true,
      });
      if (!values.device) throw new UsageError('--device is required');
      if (!values.metric) throw new UsageError('--metric is required');
      const config = loadConfig();
      const token = values.token ?? config.servingToken;
      if (!token) throw new UsageError('a token is required: --token or SERVING_TOKEN');
      const to = values.to === undefined ? Date.now() : parseTimeArg('to', values.to);
      const from = values.from === undefined ? to - 86_400_000 : parseTimeArg('from', values.from);
      const url = new URL('/v1/series', values.url ?? config.servingUrl);
      url.searchParams.set('deviceId', values.device);
      url.searchParams.set('metric', values.metric);
      url.searchParams.set('from', String(from));
      url.searchParams.set('to', String(to));
      if (values.step) url.searchParams.set('step', values.step);
      const res = await fetchImpl(url, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json().catch(() => ({}))) as {
        points?: Point[];
        message?: string;
        boundary?: number;
      };
      if (res.status !== 200) {
        io.err(`lambda-iot query series: the API answered ${res.status}: ${body.message ?? ''}`.trim());
        return res.status >= 400 && res.status < 500 ? EXIT.usage : EXIT.failure;
      }
      const points = body.points ?? [];
      if (values.csv) {
        io.out(COLUMNS.join(','));
        for (const p of points)
          io.out(COLUMNS.map((c) => (c === 't' ? new Date(p.t).toISOString() : String(p[c]))).join(','));
        return EXIT.ok;
      }
      io.out(renderTable(points, body.boundary ?? 0));
      return EXIT.ok;
    },
  };
}

function renderTable(points: readonly Point[], boundary: number): string {
  const num = (n: number): string => (Number.isFinite(n) ? Number(n.toFixed(3)).toString() : '');
  const rows = points.map((p) => [
    new Date(p.t).toISOString(),
    String(p.count),
    num(p.mean),
    num(p.min),
    num(p.max),
    num(p.stddev),
    num(p.first),
    num(p.last),
    p.source,
    p.final ? 'yes' : 'no',
  ]);
  const header = ['window', 'count', 'mean', 'min', 'max', 'stddev', 'first', 'last', 'source', 'final'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  const b = boundary > 0 ? new Date(boundary).toISOString() : 'none yet';
  return [line(header), ...rows.map(line), `${points.length} windows; batch boundary ${b}`].join('\n');
}
