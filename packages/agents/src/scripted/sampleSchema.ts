import { isRecord } from '../model/json.js';

/**
 * A small value that satisfies the common JSON Schema shapes zod writes
 * (objects, arrays, strings, numbers, enums, unions, nullables), chosen with
 * `random`: what `ScriptedModel` answers for a structured request it has no
 * script for. Formats and patterns are not honoured.
 */
export function sampleSchema(schema: unknown, random: () => number, depth = 0): unknown {
  if (!isRecord(schema) || depth > 8) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return pick(schema.enum, random);
  const union = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(union) && union.length > 0) return sampleSchema(union[0], random, depth + 1);
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0)
    return sampleSchema(schema.allOf[0], random, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const props = isRecord(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(props).map(([k, v]) => [k, sampleSchema(v, random, depth + 1)]),
      );
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      return Array.from({ length: Math.max(min, 1) }, () => sampleSchema(schema.items, random, depth + 1));
    }
    case 'integer':
    case 'number': {
      const lo = typeof schema.minimum === 'number' && schema.minimum > -1e6 ? schema.minimum : 0;
      const hi = typeof schema.maximum === 'number' && schema.maximum < 1e6 ? schema.maximum : lo + 100;
      const n = lo + random() * (hi - lo);
      return type === 'integer' ? Math.min(hi, Math.ceil(n)) : n;
    }
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    default: {
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return 'scripted'.padEnd(min, '.');
    }
  }
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}
