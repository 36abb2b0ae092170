import { headers, type Msg, MsgHdrsImpl } from '@nats-io/transport-node';
import { EnvelopeSchema, newId, ValidationError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { HeaderBlock } from '../src/HeaderBlock.js';
import { envelopeHeaders } from '../src/headers.js';
import { encodeOutbound } from '../src/outbound.js';
import { isPlainEnvelope } from '../src/plainEnvelope.js';
import { ReceivedHeaders } from '../src/ReceivedHeaders.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A message shaped as nats.js 3 receives one: header bytes, then data, in `_rdata`. */
function received(block: string, data = 'x'): Msg {
  const hdr = enc.encode(block);
  const rdata = new Uint8Array([...hdr, ...enc.encode(data)]);
  return {
    _msg: { hdr: block === '' ? -1 : hdr.length },
    _rdata: rdata,
    get headers() {
      return block === '' ? undefined : MsgHdrsImpl.decode(hdr);
    },
  } as unknown as Msg;
}

describe('HeaderBlock', () => {
  it('should encode exactly as nats.js MsgHdrs does, and read back the same', () => {
    const pairs = ['type', 'a.ping', 'id', 'x-1', 'runId', 'r é', 'timeout', '300'];
    const h = headers();
    for (let i = 0; i < pairs.length; i += 2) h.append(pairs[i] as string, pairs[i + 1] as string);
    const block = new HeaderBlock(pairs);
    expect(dec.decode(block.encode())).toBe(dec.decode((h as MsgHdrsImpl).encode()));
    expect(block.byteLength).toBe((h as MsgHdrsImpl).encode().length);
    expect(block.get('runId')).toBe('r é');
    block.set('timeout', '5');
    expect(MsgHdrsImpl.decode(block.encode()).get('timeout')).toBe('5');
  });

  it('should give an envelope the headers nats.js would encode, time left included', () => {
    const env = {
      ...{ v: 1 as const, id: newId(), type: 'a.ping', ts: 1, payload: 1 },
      to: { type: 'a', key: 'k' },
      runId: 'r',
      traceparent: 't',
      tracestate: 's',
      deadline: 5_000,
    };
    const h = headers();
    const fields = ['type', 'a.ping', 'id', env.id, 'runId', 'r', 'traceparent', 't', 'tracestate', 's'];
    for (let i = 0; i < fields.length; i += 2) h.set(fields[i] as string, fields[i + 1] as string);
    h.set('timeout', '4000');
    h.set('key', 'k');
    h.set('tell', '1');
    const block = envelopeHeaders(env, true, 1_000);
    expect(dec.decode(block.encode())).toBe(dec.decode((h as MsgHdrsImpl).encode()));
    expect(block.get('timeout')).toBe('4000');
    const padded = envelopeHeaders({ ...env, runId: ' r ' }, false, 1_000);
    expect(MsgHdrsImpl.decode(padded.encode()).get('runId')).toBe('r');
    expect(() => envelopeHeaders({ ...env, runId: 'a\nb' }, false)).toThrow();
  });

  it('should trim and refuse values as nats.js does', () => {
    expect(dec.decode(new HeaderBlock(['runId', ' r ']).encode())).toBe('NATS/1.0\r\nrunId: r\r\n\r\n');
    expect(() => new HeaderBlock(['runId', 'a\r\nb']).encode()).toThrow();
  });
});

describe('ReceivedHeaders', () => {
  it('should answer as nats.js msg.headers for every kind of header block', () => {
    const blocks = [
      'NATS/1.0\r\ntype: a.ping\r\nid: 1\r\n\r\n',
      'NATS/1.0\r\ntype:  spaced  \r\ntype: second\r\nempty:\r\nnocolon\r\n\r\n',
      'NATS/1.0\r\nruntime: x:y:z\r\n\r\n',
      'NATS/1.0\r\nxtype: a\r\nid:x\r\ntype: b\r\n\r\n',
      'NATS/1.0 503\r\n\r\n',
      'NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\n\r\n',
      'NATS/1.0',
    ];
    for (const block of blocks) {
      const msg = received(block);
      const nats = msg.headers;
      const ours = ReceivedHeaders.of(msg);
      expect(ours.code, block).toBe(nats?.code);
      expect(ours.description, block).toBe(nats?.description);
      for (const name of ['type', 'id', 'empty', 'nocolon', 'runtime', 'Nats-Pending-Messages']) {
        expect(ours.get(name), `${block} ${name}`).toBe(nats?.has(name) ? nats.get(name) : undefined);
      }
    }
    expect(ReceivedHeaders.of(received('')).get('type')).toBeUndefined();
  });

  it('should fail as nats.js does on a header name it refuses, or a lone CR or LF in a line', () => {
    for (const block of [
      'NATS/1.0\r\nbad name: v\r\n\r\n',
      'NATS/1.0\r\nTroupe-Failures: 3\nx\r\n\r\n',
      'NATS/1.0\r\nTroupe-Failures: 3\rx\r\n\r\n',
    ]) {
      const msg = received(block);
      expect(() => msg.headers, JSON.stringify(block)).toThrow();
      expect(() => ReceivedHeaders.of(msg), JSON.stringify(block)).toThrow();
    }
  });
});

describe('isPlainEnvelope', () => {
  const base = { v: 1, id: newId(), type: 'a.ping', to: { type: 'a' }, ts: 1, payload: { x: 1 } };

  it('should accept only what EnvelopeSchema returns unchanged', () => {
    const bodies: unknown[] = [
      base,
      { ...base, to: { type: 'a', key: 'k' }, from: { type: 'b', key: 'k:1' }, runId: 'r', deadline: 5 },
      { ...base, chain: ['a/k'], traceparent: 't', tracestate: 's', replyTo: '', parentId: 'p', taskId: 't' },
      { ...base, payload: undefined },
      { ...base, attempt: 1 },
      { ...base, extra: 1 },
      { ...base, to: { type: 'a', extra: 1 } },
      { ...base, to: { type: 'a b' } },
      { ...base, to: { type: 'a', key: 'k k' } },
      { ...base, v: 2 },
      { ...base, id: '' },
      { ...base, runId: 'r'.repeat(129) },
      { ...base, runId: null },
      { ...base, chain: [''] },
      { ...base, ts: '1' },
      JSON.parse(`{"v":1,"id":"i","type":"t","to":{"type":"a"},"ts":1e999,"payload":1}`),
      JSON.parse(`{"v":1,"id":"i","type":"t","to":{"type":"a"},"ts":1,"payload":1,"__proto__":{}}`),
      [],
      null,
    ];
    for (const body of bodies) {
      const zod = EnvelopeSchema.safeParse(body);
      if (isPlainEnvelope(body)) {
        expect(zod.success, JSON.stringify(body)).toBe(true);
        expect(zod.data, JSON.stringify(body)).toStrictEqual(body);
      }
    }
    expect(isPlainEnvelope(bodies[0])).toBe(true);
    expect(isPlainEnvelope(bodies[1])).toBe(true);
    expect(isPlainEnvelope(bodies[2])).toBe(true);
  });
});

describe('encodeOutbound', () => {
  const base = { v: 1 as const, id: newId(), type: 'a.ping', to: { type: 'a' }, ts: 1, payload: {} };

  it('should refuse header-borne fields a NATS header cannot carry, naming the field', () => {
    for (const runId of ['a\r\nb', 'a\nb', ' lead', 'trail ', 'tab\t']) {
      const out = encodeOutbound({ ...base, runId }, false, 1_000_000);
      expect(out, JSON.stringify(runId)).toBeInstanceOf(ValidationError);
      expect((out as ValidationError).issues[0]?.path).toBe('runId');
    }
    const trace = encodeOutbound({ ...base, traceparent: '00-x\r\n' }, false, 1_000_000);
    expect((trace as ValidationError).issues[0]?.path).toBe('traceparent');
    expect(encodeOutbound({ ...base, runId: 'é-ünï' }, false, 1_000_000)).not.toBeInstanceOf(Error);
  });
});
