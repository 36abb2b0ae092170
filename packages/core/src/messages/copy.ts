import { ValidationError } from '../errors/errors.js';

/** Nesting beyond this is taken for a cycle: JSON (and so NATS) could not carry it either. */
export const MAX_COPY_DEPTH = 1000;

/**
 * A receiver's own copy of a message value, so that the same program gives the same result in
 * one process as over NATS (where every receiver parses its own JSON). Plain data is copied
 * deeply: plain objects (own enumerable string keys), arrays, `Date`, `Map`, `Set`, typed
 * arrays. A frozen value is declared immutable and shared as is, with everything inside it
 * (freeze deeply: {@link deepFreeze}). Anything else (functions, class instances, refs, signals)
 * is a handle, not data, and is shared too: it would not cross a process boundary as itself.
 * Primitives come back unchanged at no cost.
 * @param what names the value in the error (e.g. `'task.assign' payload`).
 * @throws ValidationError when the value is cyclic or nested deeper than {@link MAX_COPY_DEPTH}.
 * @example
 * const mine = copyValue(input); // mutate `mine` freely: `input` is unchanged
 */
export function copyValue<T>(value: T, what = 'value'): T {
  if (typeof value !== 'object' || value === null) return value;
  return copy(value, 0, what) as T;
}

/**
 * Freezes a value and everything reachable from it (plain objects, arrays; the entries of maps
 * and sets stay mutable through their methods), and returns it. A frozen value is shared, not
 * copied, when it travels in process: declare a reply or a pipeline input immutable this way.
 * @example
 * return deepFreeze({ rows }); // the asker gets this very object, and cannot change it
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

function copy(value: unknown, depth: number, what: string): unknown {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (depth >= MAX_COPY_DEPTH) {
    throw new ValidationError(
      `${what} is cyclic or nested deeper than ${MAX_COPY_DEPTH} levels: it cannot be copied to its receiver (nor sent over NATS)`,
      { issues: [{ path: 'payload', message: `cyclic or deeper than ${MAX_COPY_DEPTH} levels` }] },
    );
  }
  const next = depth + 1;
  if (Array.isArray(value)) {
    const n = value.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = copy(value[i], next, what);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    // for-in over a plain object walks its own keys (nothing enumerable is inherited) and is the
    // fastest walk V8 has (its enum cache); measured ~25% faster than Object.keys here.
    for (const key in source) out[key] = copy(source[key], next, what);
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(k, copy(v, next, what));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    for (const v of value) out.add(copy(v, next, what));
    return out;
  }
  if (value instanceof ArrayBuffer) return value.slice(0);
  // Typed arrays (Node's Buffer included) copy their bytes; a DataView stays a shared handle.
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const Ctor = value.constructor as { from?: (v: unknown) => unknown } & (new (v: unknown) => unknown);
    return typeof Ctor.from === 'function' && Ctor.name === 'Buffer' ? Ctor.from(value) : new Ctor(value);
  }
  return value;
}
