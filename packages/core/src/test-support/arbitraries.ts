// fast-check generators for contract-valid readings and envelopes, shared by this package's property tests.
import fc from 'fast-check';
import type { Envelope, EnvelopeReading } from '../reading';

export const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-'.split('');

export function idArb(maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength });
}

// '__proto__' is a valid id but refused as a tag key, and fast-check likes to generate it.
export const tagsArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  idArb(16).filter((key) => key !== '__proto__'),
  fc.string({ maxLength: 20 }),
  { maxKeys: 4 },
);

export const envelopeReadingArb: fc.Arbitrary<EnvelopeReading> = fc.record(
  {
    metric: idArb(64),
    ts: fc.integer({ min: Date.UTC(2000, 0, 1), max: NOW + 86_400_000 }),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    seq: fc.nat(),
    tags: tagsArb,
  },
  { requiredKeys: ['metric', 'ts', 'value'] },
);

export const envelopeArb: fc.Arbitrary<Envelope> = fc.record({
  deviceId: idArb(128),
  readings: fc.array(envelopeReadingArb, { minLength: 1, maxLength: 20 }),
});
