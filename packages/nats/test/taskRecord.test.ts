import { describe, expect, it } from 'vitest';
import { DurableTaskSchema, plainTask } from '../src/durable/taskRecord.js';

const valid = {
  v: 1,
  taskId: 'task:1.a',
  to: { type: 'job.work', key: 'k1' },
  message: { type: 'job.work', payload: { n: 1 } },
  runId: 'run-1',
  timeout: 1_000,
  startTimeout: 2_000,
  dispatchedAt: 1_700_000_000_000,
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  tracestate: 'vendor=abc',
};

/** Variations around a valid task: each field wrong, odd, missing or extra. */
function variants(): unknown[] {
  const out: unknown[] = [valid, null, 1, 'task', [], {}];
  const odd: unknown[] = [
    undefined,
    null,
    0,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
    '',
    'x',
    'a b',
    'r'.repeat(129),
    'r'.repeat(257),
    'r'.repeat(513),
    {},
    [],
    true,
  ];
  for (const field of Object.keys(valid)) {
    const { [field]: _, ...without } = valid as Record<string, unknown>;
    out.push(without);
    for (const value of odd) out.push({ ...valid, [field]: value });
  }
  for (const value of odd) {
    out.push({ ...valid, to: { type: 'job', key: value } });
    out.push({ ...valid, to: { type: value } });
    out.push({ ...valid, message: { type: value, payload: 1 } });
    out.push({ ...valid, message: { type: 'm', payload: value } });
  }
  out.push({
    ...valid,
    extra: 1,
    to: { type: 'job', extra: 2 },
    message: { type: 'm', payload: 1, extra: 3 },
  });
  out.push({ ...valid, message: { type: 'm' } });
  // Arrays carrying the fields: zod refuses an array where an object is expected.
  out.push({ ...valid, to: Object.assign([], { type: 'job' }) });
  out.push({ ...valid, message: Object.assign([], { type: 'm', payload: 1 }) });
  out.push(Object.assign([], valid));
  out.push({
    v: 1,
    taskId: 't',
    to: { type: 'job' },
    message: { type: 'm', payload: null },
    dispatchedAt: 1,
  });
  return out;
}

describe('plainTask', () => {
  it('should accept only what the schema accepts, parsed to the same value', () => {
    let accepted = 0;
    for (const input of variants()) {
      const fast = plainTask(input);
      const slow = DurableTaskSchema.safeParse(input);
      if (fast === undefined) continue;
      accepted++;
      expect(slow.success, JSON.stringify(input)).toBe(true);
      expect(fast, JSON.stringify(input)).toStrictEqual(slow.data);
      expect(JSON.stringify(fast), 'key order').toBe(JSON.stringify(slow.data));
    }
    // The common shapes take the fast path.
    expect(accepted).toBeGreaterThan(10);
    expect(plainTask(valid)).toStrictEqual(DurableTaskSchema.parse(valid));
  });
});
