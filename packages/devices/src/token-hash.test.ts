import { hashToken, verifyTokenHash } from './token-hash';

describe('token hashes', () => {
  it('verify the token they were made from and nothing else', () => {
    const stored = hashToken('s3cret');
    expect(stored).toMatch(/^sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(verifyTokenHash('s3cret', stored)).toBe(true);
    expect(verifyTokenHash('s3cret ', stored)).toBe(false);
    expect(hashToken('s3cret')).not.toBe(stored);
  });

  it('treat a malformed stored value as no match', () => {
    expect(verifyTokenHash('x', 'plain-text')).toBe(false);
    expect(verifyTokenHash('x', 'md5$a$b')).toBe(false);
    expect(verifyTokenHash('x', 'sha256$$')).toBe(false);
  });
});
