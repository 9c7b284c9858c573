// Recursive Object.freeze for parsed configuration, so no module can change settings another one relies on.

/**
 * Freezes `value` and every object and array reachable from it, then returns it. Typed arrays and
 * ArrayBuffers are left alone (freezing a non-empty typed array throws); cycles are handled.
 */
export function deepFreeze<T>(value: T): T {
  freezeReachable(value, new WeakSet());
  return value;
}

function freezeReachable(value: unknown, seen: WeakSet<object>): void {
  if (typeof value !== 'object' || value === null) return;
  if (seen.has(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor !== undefined && 'value' in descriptor) freezeReachable(descriptor.value, seen);
  }
  Object.freeze(value);
}
