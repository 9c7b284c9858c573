// Names no other test run can collide with, so tests sharing one stack stay isolated.
import { randomBytes } from 'node:crypto';

/** `prefix` plus a short random suffix; only [a-z0-9_] so it is valid as a topic, keyspace or key prefix. */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${clean}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}
