// Bearer-token checks in constant time: both sides hashed to a fixed length, compared with timingSafeEqual.
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from './serving-errors';

export class BearerAuth {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.filter((t) => t.length > 0).map(digest);
  }

  /**
   * The verified token's digest (hex, a safe rate-limit key), or an UnauthorizedError. Every configured
   * token is compared, match or not, so the time taken does not tell which one came close.
   */
  verify(authorization: string | undefined): string {
    if (authorization === undefined || authorization === '') {
      throw new UnauthorizedError('missing bearer token (Authorization: Bearer <token>)', false);
    }
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (m === null) throw new UnauthorizedError('authorization must be "Bearer <token>"', true);
    const given = digest(m[1] as string);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(given, d) || ok;
    if (!ok) throw new UnauthorizedError('invalid bearer token', true);
    return given.toString('hex');
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
