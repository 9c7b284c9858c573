// Device tokens at rest: a salted SHA-256, compared in constant time.
//
// Why not scrypt: device tokens are generated secrets with >= 128 bits of entropy, so a leaked hash cannot
// be brute-forced however fast the hash is; a slow KDF protects low-entropy passwords, and here would only
// cost the gateway tens of milliseconds of CPU on every request. The salt still keeps equal tokens apart.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SCHEME = 'sha256';

/** `sha256$<salt base64url>$<digest base64url>`. */
export function hashToken(token: string, salt: Buffer = randomBytes(16)): string {
  return `${SCHEME}$${salt.toString('base64url')}$${digest(salt, token).toString('base64url')}`;
}

/** True when `token` hashes to `stored`; false for any malformed stored value. */
export function verifyTokenHash(token: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 3 || parts[0] !== SCHEME) return false;
  const salt = Buffer.from(parts[1] as string, 'base64url');
  const expected = Buffer.from(parts[2] as string, 'base64url');
  const actual = digest(salt, token);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function digest(salt: Buffer, token: string): Buffer {
  return createHash('sha256').update(salt).update(token, 'utf8').digest();
}
