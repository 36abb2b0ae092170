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

const patterns: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}/g,
  /\b(x-api-key|api[-_]?key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
];

/** `text` with every known secret, bearer token, `sk-…` key and `api-key: …` value replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) out = out.split(secret).join('[redacted]');
  out = out.replace(patterns[0]!, '$1 [redacted]');
  out = out.replace(patterns[1]!, '[redacted]');
  out = out.replace(patterns[2]!, '$1$2[redacted]');
  return out;
}
