// JSON schemas of the API: they validate requests, serialize responses and generate the OpenAPI description.
import { MAX_DEVICE_ID_LENGTH, MAX_METRIC_LENGTH, RESOLUTIONS } from '@lambda-iot/core';
import { FLEET_GROUP_BYS, RANK_BYS } from '@lambda-iot/views';
import { ARROW_STREAM_TYPE, CSV_TYPE } from './response-format';

const ID = '^[A-Za-z0-9._:-]+$';

export const deviceIdParam = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_DEVICE_ID_LENGTH,
  pattern: ID,
  description: 'Device id: 1-128 of [A-Za-z0-9._:-]',
} as const;
export const metricParam = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_METRIC_LENGTH,
  pattern: ID,
  description: 'Metric name: 1-64 of [A-Za-z0-9._:-]',
} as const;
export const timeParam = (which: string, dflt: string) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: 40,
    description: `${which}: epoch milliseconds or ISO-8601 with a zone. Default: ${dflt}.`,
  }) as const;
export const stepParam = {
  type: 'string',
  enum: [...RESOLUTIONS],
  description: 'Window size. Default: the finest step giving at most the points limit.',
} as const;
export const groupByParam = { type: 'string', enum: [...FLEET_GROUP_BYS], default: 'site' } as const;
export const rankByParam = { type: 'string', enum: [...RANK_BYS], default: 'max' } as const;

const stats = {
  count: { type: 'integer' },
  sum: { type: 'number' },
  min: { type: 'number' },
  max: { type: 'number' },
  mean: { type: 'number' },
  stddev: { type: 'number', description: 'Population standard deviation' },
  first: { type: 'number', description: 'Value of the earliest reading (event time)' },
  last: { type: 'number', description: 'Value of the latest reading (event time)' },
} as const;

export const pointSchema = {
  type: 'object',
  required: ['t', 'count', 'sum', 'min', 'max', 'mean', 'stddev', 'first', 'last', 'source', 'final'],
  properties: {
    t: { type: 'integer', description: 'Window start, epoch ms (UTC)' },
    ...stats,
    source: {
      type: 'string',
      enum: ['batch', 'speed'],
      description: "'batch' when the whole window ends at or before the boundary, else 'speed'",
    },
    final: { type: 'boolean', description: 'True for batch points: complete and deduplicated' },
  },
} as const;

export const rankedDeviceSchema = {
  type: 'object',
  required: ['deviceId', 'count', 'sum', 'min', 'max', 'mean', 'stddev', 'first', 'last', 'final'],
  properties: { deviceId: { type: 'string' }, ...stats, final: { type: 'boolean' } },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error', 'message', 'requestId'],
  properties: { error: { type: 'string' }, message: { type: 'string' }, requestId: { type: 'string' } },
} as const;

export const errorResponses = {
  400: { description: 'Bad parameter; `message` says which and why', ...errorSchema },
  401: { description: 'Missing or invalid bearer token', ...errorSchema },
  406: { description: 'No acceptable format', ...errorSchema },
  429: { description: 'Rate limit exceeded for this token', ...errorSchema },
} as const;

/** A 200 that is JSON by default, or CSV / Arrow IPC stream by `Accept`. */
export function tabularOk(description: string, json: object): object {
  return {
    description,
    content: {
      'application/json': { schema: json },
      [CSV_TYPE]: { schema: { type: 'string', description: 'Header row, then one row per point' } },
      [ARROW_STREAM_TYPE]: { schema: { type: 'string', format: 'binary', description: 'Arrow IPC stream' } },
    },
  };
}
