import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('evicts the least recently used entries once the total weight passes the bound', () => {
    const cache = new LruCache<string, number[]>(5, (v) => v.length);
    cache.set('a', [1, 2]);
    cache.set('b', [1, 2]);
    expect(cache.get('a')).toEqual([1, 2]); // a is now the most recently used
    cache.set('c', [1, 2]);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual([1, 2]);
    expect(cache.get('c')).toEqual([1, 2]);
    expect(cache.weight).toBe(4);
  });

  it('replaces an entry in place and never keeps one heavier than the bound', () => {
    const cache = new LruCache<string, number[]>(3, (v) => v.length);
    cache.set('a', [1]);
    cache.set('a', [1, 2]);
    expect(cache.weight).toBe(2);
    cache.set('big', [1, 2, 3, 4]);
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('a')).toEqual([1, 2]);
  });
});
