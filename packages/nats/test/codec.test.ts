import { headers, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import {
  CancelledError,
  type Envelope,
  HandlerError,
  newId,
  PayloadTooLargeError,
  TimeoutError,
  TransportError,
  ValidationError,
} from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { encodeControl, readControl } from '../src/control.js';
import { envelopeHeaders } from '../src/headers.js';
import { readInbound } from '../src/inbound.js';
import { errorReply, okReply, readReply } from '../src/reply.js';

const enc = new TextEncoder();

function msg(data: Uint8Array, h?: MsgHdrs, subject = 'troupe.ns.agent.a'): Msg {
  return {
    subject,
    sid: 1,
    data,
    ...(h ? { headers: h } : {}),
    respond: () => true,
    json: () => JSON.parse(new TextDecoder().decode(data)),
    string: () => new TextDecoder().decode(data),
  };
}

function envelope(extra: Partial<Envelope> = {}): Envelope {
  return {
    v: 1,
    id: newId(),
    type: 'a.ping',
    to: { type: 'a' },
    ts: Date.now(),
    payload: { x: 1 },
    ...extra,
  };
}

const expectation = { type: 'a', key: undefined, maxPayload: 1024 * 1024 };

describe('readInbound', () => {
  it('should accept a well-formed envelope whose headers match', () => {
    const env = envelope({ runId: 'r', deadline: 5_000, traceparent: 't', tracestate: 'k=v' });
    const got = readInbound(
      msg(enc.encode(JSON.stringify(env)), envelopeHeaders(env, false, 1_000)),
      expectation,
      100_000,
    );
    // The deadline is rebased: 4 s were left when sent, so 4 s are left on the receiver's clock.
    expect(got).toMatchObject({ envelope: { ...env, deadline: 104_000 }, tell: false, hops: 0 });
  });

  it('should name the field of each kind of malformed input', () => {
    const env = envelope();
    const body = enc.encode(JSON.stringify(env));
    const cases: Array<[Msg, string]> = [
      [msg(body), 'headers.type'],
      [msg(enc.encode('{nope'), envelopeHeaders(env, false)), ''],
      [msg(new Uint8Array([0xff, 0xfe]), envelopeHeaders(env, false)), ''],
      [msg(enc.encode(JSON.stringify({ ...env, v: 2 })), envelopeHeaders(env, false)), 'v'],
      [msg(body, envelopeHeaders({ ...env, type: 'a.other' }, false)), 'headers.type'],
      [msg(body, envelopeHeaders({ ...env, runId: 'x' }, false)), 'headers.runId'],
      [msg(body, envelopeHeaders({ ...env, tracestate: 'k=v' }, false)), 'headers.tracestate'],
      [msg(body, envelopeHeaders({ ...env, to: { type: 'a', key: 'k' } }, false)), 'headers.key'],
      [
        msg(enc.encode(JSON.stringify({ ...env, to: { type: 'b' } })), envelopeHeaders(env, false)),
        'to.type',
      ],
      [
        msg(enc.encode(JSON.stringify({ ...env, to: { type: 'a', key: 'k' } })), envelopeHeaders(env, false)),
        'to.key',
      ],
    ];
    for (const [m, path] of cases) {
      const got = readInbound(m, expectation);
      expect(got, path).toBeInstanceOf(ValidationError);
      expect((got as ValidationError).path, path).toBe(path);
    }
  });

  it('should refuse a message over the limit before parsing it', () => {
    const h = headers();
    h.set('type', 'a.ping');
    h.set('id', 'x');
    const got = readInbound(msg(new Uint8Array(2048), h), { ...expectation, maxPayload: 1024 });
    expect(got).toBeInstanceOf(PayloadTooLargeError);
  });

  it('should refuse a message for another type on a keyed subject', () => {
    const env = envelope({ type: 'a.ping', to: { type: 'a.b' } });
    const got = readInbound(
      msg(enc.encode(JSON.stringify(env)), envelopeHeaders(env, false), 'troupe.ns.instance.a.b'),
      { ...expectation, key: 'b' },
    );
    expect(got).toBeInstanceOf(ValidationError);
    expect((got as ValidationError).path).toBe('to.type');
  });
});

describe('replies', () => {
  it('should round-trip a value and a typed error with its cause chain', () => {
    const ok = okReply({ a: [1, 'b'] }, 1024);
    expect(readReply(msg(ok.data, ok.headers))).toEqual({ value: { a: [1, 'b'] } });
    const thrown = new TimeoutError('slow', { cause: new HandlerError('E_X', 'inner') });
    const bad = errorReply(thrown);
    const got = readReply(msg(bad.data, bad.headers));
    expect('error' in got && got.error).toBeInstanceOf(TimeoutError);
    const cause = ('error' in got ? got.error.cause : undefined) as HandlerError;
    expect(cause.code).toBe('E_X');
  });

  it('should turn a value that cannot be sent into an error reply', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const notJson = okReply(circular, 1024);
    const got = readReply(msg(notJson.data, notJson.headers));
    expect('error' in got && got.error).toBeInstanceOf(ValidationError);
    const tooBig = okReply('x'.repeat(2048), 1024);
    const big = readReply(msg(tooBig.data, tooBig.headers));
    expect('error' in big && big.error).toBeInstanceOf(PayloadTooLargeError);
  });

  it('should refuse a reply that is not a Troupe reply', () => {
    const got = readReply(msg(enc.encode('{"ok":true}')));
    expect('error' in got && got.error).toBeInstanceOf(TransportError);
  });
});

describe('control', () => {
  it('should round-trip a cancel and ignore garbage', () => {
    const control = readControl(
      encodeControl('id-1', new CancelledError('stop', { cause: new Error('why') })),
    );
    expect(control?.id).toBe('id-1');
    expect(control?.reason).toBeInstanceOf(CancelledError);
    expect((control?.reason.cause as Error | undefined)?.message).toBe('why');
    expect(readControl(enc.encode('nope'))).toBeNull();
    expect(readControl(enc.encode('{"id":""}'))).toBeNull();
    expect(readControl(enc.encode('{"id":"x"}'))?.reason).toBeInstanceOf(CancelledError);
  });
});
