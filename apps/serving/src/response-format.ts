// Content negotiation and the two tabular encodings besides JSON: CSV and Arrow IPC stream.
import {
  Bool,
  Float64,
  Table,
  tableToIPC,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import type { FastifyReply } from 'fastify';
import { NotAcceptableError } from './serving-errors';

export type ResponseFormat = 'json' | 'csv' | 'arrow';

export const CSV_TYPE = 'text/csv';
export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

const MEDIA: ReadonlyArray<[string, ResponseFormat]> = [
  ['application/json', 'json'],
  [CSV_TYPE, 'csv'],
  [ARROW_STREAM_TYPE, 'arrow'],
  ['application/*', 'json'],
  ['text/*', 'csv'],
  ['*/*', 'json'],
];

/**
 * The format for an `Accept` header: the supported type with the highest q, earlier entries winning ties;
 * JSON when the header is absent. A header naming only unsupported types is a NotAcceptableError.
 */
export function negotiateFormat(
  accept: string | undefined,
  allowed: readonly ResponseFormat[],
): ResponseFormat {
  if (accept === undefined || accept.trim() === '') return 'json';
  let best: { format: ResponseFormat; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) q = Number(v);
    }
    if (!(q > 0)) continue;
    const format = MEDIA.find(([media]) => media === type.trim())?.[1];
    if (format === undefined || !allowed.includes(format)) continue;
    if (best === undefined || q > best.q) best = { format, q };
  }
  if (best === undefined) {
    const offered = allowed.map((f) =>
      f === 'json' ? 'application/json' : f === 'csv' ? CSV_TYPE : ARROW_STREAM_TYPE,
    );
    throw new NotAcceptableError(
      `cannot answer ${JSON.stringify(accept.slice(0, 100))}; available: ${offered.join(', ')}`,
    );
  }
  return best.format;
}

export type ColumnType = 'timestamp' | 'float' | 'string' | 'bool';

export interface Column<Row> {
  name: string;
  type: ColumnType;
  /** null: no value (an empty CSV field, an Arrow null). */
  value(row: Row): number | string | boolean | null;
}

/** Sends `body` as JSON, or `rows` as CSV / Arrow with `columns`, according to the negotiated format. */
export function sendTable<Row>(
  reply: FastifyReply,
  format: ResponseFormat,
  body: unknown,
  rows: readonly Row[],
  columns: readonly Column<Row>[],
): FastifyReply {
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(rows, columns));
  if (format === 'arrow')
    return reply.type(ARROW_STREAM_TYPE).send(Buffer.from(toArrowStream(rows, columns)));
  return reply.send(body);
}

export function toCsv<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const lines = [columns.map((c) => csvField(c.name)).join(',')];
  for (const row of rows)
    lines.push(
      columns
        .map((c) => {
          const v = c.value(row);
          return csvField(v === null ? '' : String(v));
        })
        .join(','),
    );
  return lines.join('\r\n') + '\r\n';
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toArrowStream<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): Uint8Array {
  const data: Record<string, Vector> = {};
  for (const c of columns) {
    const values = rows.map((r) => c.value(r));
    data[c.name] =
      c.type === 'timestamp'
        ? vectorFromArray(values as number[], new TimestampMillisecond())
        : c.type === 'float'
          ? vectorFromArray(values as number[], new Float64())
          : c.type === 'bool'
            ? vectorFromArray(values as boolean[], new Bool())
            : vectorFromArray(values as string[], new Utf8());
  }
  return tableToIPC(new Table(data), 'stream');
}
