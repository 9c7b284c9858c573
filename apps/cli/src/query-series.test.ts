import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXIT, runCli, type CommandIo } from './command';
import { querySeriesCommand } from './commands/query-series';
import type { CliConfig } from './config';

function capture(): CommandIo & { outText: string[]; errText: string[] } {
  const outText: string[] = [];
  const errText: string[] = [];
  return { outText, errText, out: (t) => outText.push(t), err: (t) => errText.push(t), errIsTty: false };
}

describe('lambda-iot query series', () => {
  let server: Server;
  let url = '';
  const seen: URL[] = [];
  const point = { t: 1_767_225_600_000, count: 2, mean: 1.5, min: 1, max: 2, stddev: 0.5, first: 1, last: 2 };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      seen.push(u);
      if (req.headers.authorization !== 'Bearer secret-token-0123456789') {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"message":"missing or invalid token"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          boundary: point.t + 60_000,
          points: [
            { ...point, source: 'batch', final: true },
            { ...point, t: point.t + 60_000, source: 'speed', final: false },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config =
    (token?: string): (() => Readonly<CliConfig>) =>
    () => ({
      redis: {
        host: '127.0.0.1',
        port: 6379,
        db: 0,
        keyPrefix: 'x:',
        tls: { enabled: false, rejectUnauthorized: true },
      },
      queueName: 'batch',
      bullPrefix: 'x:bull',
      servingUrl: url,
      servingToken: token,
      mqttUrl: 'mqtt://127.0.0.1:1',
    });

  it('prints a table of windows with their source, and passes the range and step to the API', async () => {
    const io = capture();
    const code = await runCli(
      [querySeriesCommand(config('secret-token-0123456789'))],
      [
        'query',
        'series',
        '--device',
        'dev-1',
        '--metric',
        'temperature',
        '--from',
        '2026-01-01',
        '--to',
        '2026-01-02',
        '--step',
        '1m',
      ],
      io,
    );
    expect(code).toBe(EXIT.ok);
    const params = seen[seen.length - 1]!.searchParams;
    expect(Object.fromEntries(params)).toEqual({
      deviceId: 'dev-1',
      metric: 'temperature',
      from: String(Date.UTC(2026, 0, 1)),
      to: String(Date.UTC(2026, 0, 2)),
      step: '1m',
    });
    const text = io.outText.join('\n');
    expect(text).toMatch(/2026-01-01T00:00:00.000Z\s+2\s+1.5\s+1\s+2\s+0.5\s+1\s+2\s+batch\s+yes/);
    expect(text).toMatch(/speed\s+no/);
    expect(text).toContain('2 windows; batch boundary 2026-01-01T00:01:00.000Z');
  });

  it('prints CSV with --csv', async () => {
    const io = capture();
    await runCli(
      [querySeriesCommand(config('secret-token-0123456789'))],
      ['query', 'series', '--device', 'dev-1', '--metric', 'temperature', '--csv'],
      io,
    );
    expect(io.outText[0]).toBe('t,count,mean,min,max,stddev,first,last,source,final');
    expect(io.outText[1]).toBe('2026-01-01T00:00:00.000Z,2,1.5,1,2,0.5,1,2,batch,true');
  });

  it('exits 2 without a token or device, and reports the API refusing the token', async () => {
    expect(
      await runCli(
        [querySeriesCommand(config())],
        ['query', 'series', '--device', 'd', '--metric', 'm'],
        capture(),
      ),
    ).toBe(EXIT.usage);
    expect(
      await runCli([querySeriesCommand(config('t'))], ['query', 'series', '--metric', 'm'], capture()),
    ).toBe(EXIT.usage);
    const io = capture();
    const code = await runCli(
      [querySeriesCommand(config('wrong-token-0123456789'))],
      ['query', 'series', '--device', 'd', '--metric', 'm', '--url', url],
      io,
    );
    expect(code).toBe(EXIT.usage);
    expect(io.errText.join('')).toContain('401: missing or invalid token');
  });
});
