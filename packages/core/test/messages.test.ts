import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AgentFailedError,
  defineMessage,
  errorFromWire,
  errorToWire,
  HandlerError,
  newId,
  TimeoutError,
  ValidationError,
} from '../src/index.js';

const Order = defineMessage(
  'shop.order',
  z.object({ items: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })) }),
);

describe('defineMessage', () => {
  it('should create a typed message and validate its payload', () => {
    const msg = Order.create({ items: [{ sku: 'a', qty: 1 }] });
    expect({ type: msg.type, payload: msg.payload }).toEqual({
      type: 'shop.order',
      payload: { items: [{ sku: 'a', qty: 1 }] },
    });
    expect(Order.is(msg)).toBe(true);
  });

  it('should name the nested field path of an invalid payload', () => {
    const err = (() => {
      try {
        Order.create({
          items: [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 0 },
          ],
        });
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.path).toBe('payload.items.1.qty');
  });

  it('should parse a whole envelope, naming envelope fields too', () => {
    const env = {
      v: 1,
      id: newId(),
      type: 'shop.order',
      to: { type: 'shop' },
      ts: Date.now(),
      payload: { items: [] },
    };
    expect(Order.parse(env).payload).toEqual({ items: [] });
    expect(() => Order.parse({ ...env, to: { type: 'bad type' } })).toThrow(/to\.type/);
    expect(() => Order.parse({ ...env, type: 'shop.other' })).toThrow(ValidationError);
  });

  it('should refuse an invalid message type name', () => {
    expect(() => defineMessage('has space', z.object({}))).toThrow(ValidationError);
  });
});

describe('newId', () => {
  it('should make unique, time-sortable UUIDv7 ids', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 50))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('errors on the wire', () => {
  it('should rebuild known error classes with code, data and cause', () => {
    const original = new AgentFailedError('gave up', { cause: new TimeoutError('slow'), data: { key: 'k' } });
    const back = errorFromWire(JSON.parse(JSON.stringify(errorToWire(original))));
    expect(back).toBeInstanceOf(AgentFailedError);
    expect(back.code).toBe('AGENT_FAILED');
    expect(back.data).toEqual({ key: 'k' });
    expect(back.cause).toBeInstanceOf(TimeoutError);
  });

  it('should keep validation issues and custom codes', () => {
    const v = errorFromWire(
      errorToWire(new ValidationError('bad', { issues: [{ path: 'payload.x', message: 'nope' }] })),
    );
    expect(v).toBeInstanceOf(ValidationError);
    expect((v as ValidationError).path).toBe('payload.x');
    const custom = Object.assign(new Error('disk full'), { code: 'E_DISK' });
    const h = errorFromWire(errorToWire(custom));
    expect(h).toBeInstanceOf(HandlerError);
    expect(h.code).toBe('E_DISK');
    expect(h.message).toBe('disk full');
  });

  it('should turn thrown non-errors into errors', () => {
    expect(errorToWire('just a string').message).toBe('just a string');
    expect(errorToWire({ odd: true }).message).toBe('{"odd":true}');
  });
});
