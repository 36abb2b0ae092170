/**
 * Every NATS name Troupe uses, in one place, so the serving and the asking
 * side can never disagree about a subject, a stream or a bucket.
 */

const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;
const encoder = new TextEncoder();

/**
 * A value as one subject (or KV key) token: kept as-is when it is made of
 * `[A-Za-z0-9_-]`, otherwise every other byte becomes `=XX` (hex), which is
 * injective and safe both in subjects and in KV keys.
 */
export function subjectToken(value: string): string {
  if (SAFE_TOKEN.test(value)) return value;
  let out = '';
  for (const ch of value) {
    if (SAFE_TOKEN.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of encoder.encode(ch)) out += `=${byte.toString(16).padStart(2, '0')}`;
  }
  return out === '' ? '=' : out;
}

/** `troupe.<ns>.agent.<type>`: any instance of a type (subscribed in queue group `<type>`). */
export function typeSubject(ns: string, type: string): string {
  return `troupe.${ns}.agent.${type}`;
}

/**
 * `troupe.<ns>.instance.<type>.<key>`: one keyed instance (keys are valid subject tokens already).
 * Keyed subjects live apart from `agent.`: `instance.a.b` (type `a`, key `b`) can never be taken
 * for the "any instance" subject of a type `a.b`, and `instance.a.*` never matches `instance.a.b.k`.
 */
export function instanceSubject(ns: string, type: string, key: string): string {
  return `troupe.${ns}.instance.${type}.${key}`;
}

/** `troupe.<ns>.worker.<workerId>.instance.<type>.<key>`: a keyed instance on the worker that owns it. */
export function ownerSubject(ns: string, workerId: string, type: string, key: string): string {
  return `troupe.${ns}.worker.${workerId}.instance.${type}.${key}`;
}

/** `troupe.<ns>.progress.<runId>` (the run id escaped with {@link subjectToken}). */
export function progressSubject(ns: string, runId: string): string {
  return `troupe.${ns}.progress.${subjectToken(runId)}`;
}

/** `troupe.<ns>.control.<runId>` (the run id escaped with {@link subjectToken}). */
export function controlSubject(ns: string, runId: string): string {
  return `troupe.${ns}.control.${subjectToken(runId)}`;
}

/** The JetStream stream holding a namespace's progress events. */
export function progressStreamName(ns: string): string {
  return `TROUPE_${ns.toUpperCase()}_PROGRESS`;
}

/** The JetStream KV bucket mapping keyed instances to the worker that owns them. */
export function ownersBucketName(ns: string): string {
  return `troupe_${ns}_owners`;
}

/** The owners-bucket key of one instance: `<type>.<escaped key>`. */
export function ownerKey(type: string, key: string): string {
  return `${type}.${subjectToken(key)}`;
}
