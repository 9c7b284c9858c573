import fc from 'fast-check';
import { envelopeArb, NOW } from './test-support/arbitraries';
import {
  ACCEPTED_CONTENT_TYPES,
  CONTENT_TYPE_HEADER,
  decodeEnvelope,
  encodeEnvelope,
  isEnvelopeContentType,
  JSON_CONTENT_TYPE,
} from './envelope-codec';
import type { Envelope } from './reading';
import { validationLimitsAt } from './validate-envelope';

const limits = validationLimitsAt(NOW);

const envelope: Envelope = {
  deviceId: 'dev-1',
  readings: [
    { metric: 'temperature', ts: NOW - 2000, value: 21.5, seq: 1 },
    { metric: 'humidity', ts: NOW - 1000, value: 40, tags: { site: 'berlin' } },
  ],
};

function expectWellFormed(result: ReturnType<typeof decodeEnvelope>): void {
  expect(Array.isArray(result.readings)).toBe(true);
  expect(Array.isArray(result.rejections)).toBe(true);
  expect(result.readings.length + result.rejections.length).toBeGreaterThan(0);
}

describe('content type', () => {
  it('names the header and the envelope media type', () => {
    expect(CONTENT_TYPE_HEADER).toBe('content-type');
    expect(JSON_CONTENT_TYPE).toBe('application/vnd.lambda-iot.envelope+json');
    expect(ACCEPTED_CONTENT_TYPES).toEqual([JSON_CONTENT_TYPE, 'application/json']);
  });

  it.each([
    [undefined, true],
    [JSON_CONTENT_TYPE, true],
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    [Buffer.from(JSON_CONTENT_TYPE), true],
    ['application/x-protobuf', false],
    ['text/plain', false],
    ['', false],
  ])('isEnvelopeContentType(%p) is %p', (header, expected) => {
    expect(isEnvelopeContentType(header)).toBe(expected);
  });
});

describe('encodeEnvelope', () => {
  it('writes compact JSON in the wire format of the contract', () => {
    expect(encodeEnvelope(envelope).toString('utf8')).toBe(
      '{"deviceId":"dev-1","readings":[' +
        `{"metric":"temperature","ts":${NOW - 2000},"value":21.5,"seq":1},` +
        `{"metric":"humidity","ts":${NOW - 1000},"value":40,"tags":{"site":"berlin"}}]}`,
    );
  });

  it('leaves out fields outside the contract, including a per-reading deviceId', () => {
    const extra = {
      deviceId: 'dev-1',
      firmware: '1.0',
      readings: [{ metric: 'm', ts: NOW, value: 1, deviceId: 'dev-1', unit: 'C' }],
    } as unknown as Envelope;
    expect(JSON.parse(encodeEnvelope(extra).toString('utf8'))).toEqual({
      deviceId: 'dev-1',
      readings: [{ metric: 'm', ts: NOW, value: 1 }],
    });
  });
});

describe('decodeEnvelope', () => {
  it('round-trips an encoded envelope into readings carrying the deviceId', () => {
    const result = decodeEnvelope(encodeEnvelope(envelope), limits);
    expect(result).toEqual({
      deviceId: 'dev-1',
      readings: envelope.readings.map((r) => ({ deviceId: 'dev-1', ...r })),
      rejections: [],
    });
  });

  it('reads a string as well as bytes', () => {
    expect(decodeEnvelope(encodeEnvelope(envelope).toString('utf8'), limits).readings).toHaveLength(2);
  });

  it('reads a Uint8Array view into a larger buffer without reading past it', () => {
    const bytes = encodeEnvelope(envelope);
    const padded = new Uint8Array(bytes.length + 10).fill(0x20);
    padded.set(bytes, 5);
    const view = padded.subarray(5, 5 + bytes.length);
    expect(decodeEnvelope(view, limits).readings).toHaveLength(2);
  });

  it.each(['', '{', '{"deviceId":', 'not json', '{"deviceId":"d",}', 'undefined'])(
    'gives one malformed_json rejection for %p',
    (text) => {
      expect(decodeEnvelope(Buffer.from(text), limits)).toEqual({
        deviceId: undefined,
        readings: [],
        rejections: [
          { index: -1, reason: 'malformed_json', message: expect.stringContaining('not valid JSON') },
        ],
      });
    },
  );

  it('refuses bytes that are not UTF-8 as malformed_json rather than substituting characters', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"deviceId":"dev'),
      Buffer.from([0xff]),
      Buffer.from('","readings":[]}'),
    ]);
    expect(decodeEnvelope(bytes, limits).rejections).toEqual([
      { index: -1, reason: 'malformed_json', message: 'envelope is not valid UTF-8' },
    ]);
  });

  it('judges well-formed JSON that is not an envelope by the validation rules', () => {
    expect(decodeEnvelope('[1,2]', limits).rejections.map((r) => r.reason)).toEqual(['not_an_object']);
    expect(decodeEnvelope('{"deviceId":"d"}', limits).rejections.map((r) => r.reason)).toEqual([
      'missing_readings',
    ]);
  });

  it('refuses input above maxEnvelopeBytes as oversized, counting bytes rather than characters', () => {
    const bytes = encodeEnvelope(envelope);
    expect(decodeEnvelope(bytes, { ...limits, maxEnvelopeBytes: bytes.length }).readings).toHaveLength(2);
    expect(decodeEnvelope(bytes, { ...limits, maxEnvelopeBytes: bytes.length - 1 }).rejections).toEqual([
      { index: -1, reason: 'oversized', message: expect.any(String) },
    ]);
    const text = '"ü"'; // 3 characters, 4 bytes
    expect(decodeEnvelope(text, { ...limits, maxEnvelopeBytes: 3 }).rejections[0]?.reason).toBe('oversized');
  });

  it('checks the sender when an expected deviceId is given', () => {
    expect(decodeEnvelope(encodeEnvelope(envelope), limits, 'dev-2').rejections[0]?.reason).toBe(
      'device_mismatch',
    );
  });

  describe('on any input', () => {
    it('round-trips every contract-valid envelope exactly', () => {
      fc.assert(
        fc.property(envelopeArb, (env) => {
          const result = decodeEnvelope(encodeEnvelope(env), limits);
          expect(result.rejections).toEqual([]);
          expect(result.deviceId).toBe(env.deviceId);
          // JSON has one zero; the value -0 comes back as 0.
          const expected = env.readings.map((r) => ({ deviceId: env.deviceId, ...r, value: r.value + 0 }));
          expect(result.readings).toEqual(expected);
        }),
      );
    });

    it('never throws on arbitrary bytes, answering with readings or rejections', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          expectWellFormed(decodeEnvelope(Buffer.from(bytes), limits));
        }),
      );
    });

    it('never throws on arbitrary strings', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
          expectWellFormed(decodeEnvelope(text, limits));
        }),
      );
    });

    it('never throws on arbitrary JSON, nor on envelopes with arbitrary JSON readings', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.json(),
            fc.jsonValue().map((readings) => JSON.stringify({ deviceId: 'dev-1', readings: [readings] })),
          ),
          (text) => {
            expectWellFormed(decodeEnvelope(text, limits));
          },
        ),
      );
    });

    it('never throws on a valid envelope with a corrupted byte', () => {
      fc.assert(
        fc.property(envelopeArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (env, at, byte) => {
          const bytes = encodeEnvelope(env);
          bytes[at % bytes.length] = byte;
          expectWellFormed(decodeEnvelope(bytes, limits));
        }),
      );
    });
  });
});
