/**
 * JSON text of a value, cut at `max` characters, produced by a walk that stops once the budget is
 * spent: a preview of a 10 MB result costs about as much as one of a small one (unlike
 * `JSON.stringify`, which serializes everything first). Follows JSON's rules (toJSON, undefined
 * and functions dropped from objects, null in arrays); cycles and nesting deeper than 16 stop the
 * walk like the budget does.
 */
export function jsonPreview(value: unknown, max: number): { text: string; complete: boolean } {
  const parts: string[] = [];
  let length = 0;
  const seen = new Set<object>();
  // Returns false once the budget is spent (or the value cannot be shown): the walk stops.
  const put = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= max;
  };
  const walk = (v: unknown, depth: number): boolean => {
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON(): unknown }).toJSON();
    }
    switch (typeof v) {
      case 'string':
        return put(JSON.stringify(v.length > max ? v.slice(0, max + 1) : v));
      case 'number':
        return put(Number.isFinite(v) ? String(v) : 'null');
      case 'boolean':
        return put(String(v));
      case 'bigint':
        return put(JSON.stringify(String(v)));
      case 'object':
        break;
      default:
        return put('null');
    }
    if (v === null) return put('null');
    if (depth >= 16 || seen.has(v)) return false;
    seen.add(v);
    let ok: boolean;
    if (Array.isArray(v)) {
      ok = put('[');
      for (let i = 0; ok && i < v.length; i++) ok = (i === 0 || put(',')) && walk(v[i], depth + 1);
      ok = ok && put(']');
    } else {
      ok = put('{');
      let first = true;
      const record = v as Record<string, unknown>;
      for (const key in record) {
        if (!ok) break;
        if (!Object.hasOwn(record, key)) continue;
        const item = record[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        ok = (first || put(',')) && put(`${JSON.stringify(key)}:`) && walk(item, depth + 1);
        first = false;
      }
      ok = ok && put('}');
    }
    seen.delete(v);
    return ok;
  };
  const complete = walk(value, 0);
  const text = parts.join('');
  if (complete) return { text, complete };
  return { text: `${text.slice(0, Math.max(0, max - 1))}…`, complete };
}
