/**
 * Secrets seen by this process (API keys handed to a model client): any
 * error text that passes through {@link redactSecrets} has them masked, even
 * when a server echoes a key back in a message.
 */
const known = new Set<string>();

/** Remembers `secret` so that {@link redactSecrets} masks it wherever it appears (ignored when shorter than 8). */
export function registerSecret(secret: string | undefined): void {
  if (secret !== undefined && secret.length >= 8) known.add(secret);
}

const field =
  /\b(x-api-key|api[-_]?key|authorization)(["']?\s*[:=]\s*["']?)(?:(?:Bearer|Basic)\s+)?[^\s"',}]+/gi;
const scheme = /\b(Bearer|Basic)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]+/gi;
const keyLike = /\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}/g;

/** `text` with every known secret, bearer token, `sk-…` key and `api-key: …` value replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('[redacted]');
  out = out.replace(field, '$1$2[redacted]');
  out = out.replace(scheme, '$1 [redacted]');
  out = out.replace(keyLike, '[redacted]');
  return out;
}
