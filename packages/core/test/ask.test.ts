import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  ClosedError,
  createRuntime,
  defineAgent,
  defineMessage,
  HandlerError,
  NoRespondersError,
  on,
  type Runtime,
  ValidationError,
} from '../src/index.js';
import { Add, Boom, Counter, gate, journal, Ping, Sleep, Sleeper } from './fixtures.js';

let rt: Runtime;
afterEach(async () => {
  await rt?.close();
  journal.length = 0;
});

describe('ask and tell', () => {
  it('should run a handler for a message typed like an internal event (troupe.setState)', async () => {
    rt = createRuntime();
    const SetN = defineMessage('troupe.setState', z.object({ n: z.number() }));
    const Keeper = defineAgent({
      type: 'test.keeper',
      initialState: () => ({ n: 0 }),
      handles: {
        [SetN.type]: on(SetN, ({ n }, ctx) => {
          ctx.setState({ n });
          return n * 2;
        }),
      },
    });
    await rt.register(Keeper);
    expect(await rt.ref(Keeper, 'k').ask(SetN.create({ n: 4 }), { timeout: 5_000 })).toBe(8);
    expect(await rt.ref(Keeper, 'k').ask(SetN.create({ n: 5 }), { timeout: 5_000 })).toBe(10);
    // A state object where a factory belongs is refused when the agent is defined.
    const stateObject = { type: 'test.bad', initialState: { n: 0 }, handles: {} } as unknown as Parameters<
      typeof defineAgent
    >[0];
    expect(() => defineAgent(stateObject)).toThrow(ValidationError);
  });

  it('should answer an ask with the handler return value, typed', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    const total: number = await rt.ref(Counter, 'a').ask(Add.create({ n: 2 }));
    expect(total).toBe(2);
    expect(await rt.ref(Counter, 'a').ask(Add.create({ n: 3 }))).toBe(5);
  });

  it('should keep state per instance key', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    await rt.ref(Counter, 'a').ask(Add.create({ n: 10 }));
    expect(await rt.ref(Counter, 'b').ask(Add.create({ n: 1 }))).toBe(1);
    expect(rt.stats().instances).toBe(2);
  });

  it('should deliver a tell and run it before a later ask to the same instance', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    await rt.ref(Counter, 'k').tell(Add.create({ n: 4 }));
    expect(await rt.ref(Counter, 'k').ask(Add.create({ n: 1 }))).toBe(5);
  });

  it('should resolve a tell once delivered, while its handler is still blocked', async () => {
    const held = gate();
    const steps: string[] = [];
    const Blocked = defineAgent({
      type: 'test.blocked',
      handles: {
        'test.hold': async () => {
          steps.push('handler started');
          await held.promise;
          steps.push('handler finished');
        },
      },
    });
    rt = createRuntime();
    await rt.register(Blocked);
    const told = rt.ref(Blocked).tell({ type: 'test.hold', payload: {} });
    void told.then(() => steps.push('tell resolved'));
    // The handler cannot finish until the gate opens, so a tell that waited for it would never resolve here.
    await vi.waitFor(() => expect(steps).toContain('tell resolved'));
    expect(steps).not.toContain('handler finished');
    held.open();
    await vi.waitFor(() => expect(steps).toContain('handler finished'));
  });

  it('should serialize concurrent asks to one instance in arrival order', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    const ref = rt.ref(Sleeper, 'one');
    const asks = [30, 1, 10].map((ms, i) => ref.ask(Sleep.create({ ms, tag: `m${i}` })));
    expect(await Promise.all(asks)).toEqual(['m0', 'm1', 'm2']);
    expect(journal).toEqual([
      'start one m0',
      'end one m0',
      'start one m1',
      'end one m1',
      'start one m2',
      'end one m2',
    ]);
  });

  it('should run different instances concurrently', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    await Promise.all(['a', 'b', 'c'].map((k) => rt.ref(Sleeper, k).ask(Sleep.create({ ms: 40, tag: k }))));
    // Every instance started before any finished.
    expect(journal.slice(0, 3).every((line) => line.startsWith('start'))).toBe(true);
  });

  it('should spread un-keyed asks over the instance pool', async () => {
    rt = createRuntime();
    await rt.register(Sleeper, { instances: 3 });
    await Promise.all([0, 1, 2].map((i) => rt.ref(Sleeper).ask(Sleep.create({ ms: 30, tag: `t${i}` }))));
    const keys = new Set(journal.filter((l) => l.startsWith('start')).map((l) => l.split(' ')[1]));
    expect(keys).toEqual(new Set(['_0', '_1', '_2']));
  });
});

describe('envelope', () => {
  it('should name the asking instance in `from` for asks made by a handler', async () => {
    const Who = defineMessage('test.who', z.object({}));
    const Relay = defineMessage('test.relay', z.object({}));
    const Callee = defineAgent({
      type: 'test.callee',
      handles: { [Who.type]: on(Who, (_p, ctx) => ctx.envelope.from) },
    });
    const Caller = defineAgent({
      type: 'test.caller',
      handles: { [Relay.type]: on(Relay, (_p, ctx) => ctx.ask(Callee, Who.create({}))) },
    });
    rt = createRuntime();
    await rt.register(Callee);
    await rt.register(Caller, { instances: 2 });
    expect(await rt.ref(Callee).ask(Who.create({}))).toBeUndefined();
    expect(await rt.ref(Caller).ask(Relay.create({}))).toEqual({ type: 'test.caller', key: '_1' });
    expect(await rt.ref(Caller, 'boss').ask(Relay.create({}))).toEqual({ type: 'test.caller', key: 'boss' });
  });
});

describe('errors', () => {
  it('should fail with NoRespondersError for an unknown agent type', async () => {
    rt = createRuntime();
    const err = await rt
      .ref({ type: 'nobody' })
      .ask(Ping.create({ text: 'x' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoRespondersError);
    expect((err as NoRespondersError).code).toBe('NO_RESPONDERS');
  });

  it('should answer an invalid payload with ValidationError naming the field path', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    const err = await rt
      .ref(Counter, 'a')
      .ask({ type: 'test.add', payload: { n: 'two' } } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('VALIDATION');
    expect((err as ValidationError).path).toBe('payload.n');
    expect((err as ValidationError).message).toMatch(/payload\.n/);
    // The runtime and the instance are fine afterwards.
    expect(await rt.ref(Counter, 'a').ask(Add.create({ n: 1 }))).toBe(1);
  });

  it('should refuse a message type the agent does not handle', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    const err = await rt
      .ref(Counter)
      .ask(Ping.create({ text: 'x' }) as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).path).toBe('type');
  });

  it('should give the asker a handler error with its message, code and cause', async () => {
    rt = createRuntime();
    await rt.register(Sleeper);
    const err = (await rt
      .ref(Sleeper)
      .ask({ type: 'test.boom', payload: { code: 'E_DISK' } })
      .catch((e: unknown) => e)) as HandlerError;
    expect(err).toBeInstanceOf(HandlerError);
    expect(err.code).toBe('E_DISK');
    expect(err.message).toBe('kaboom');
    expect((err.cause as Error).message).toBe('kaboom');
    const plain = (await rt
      .ref(Sleeper)
      .ask(Boom.create({}))
      .catch((e: unknown) => e)) as HandlerError;
    expect(plain.code).toBe('HANDLER_ERROR');
  });

  it('should reject bad keys, names and duplicate registrations with ValidationError', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    expect(() => rt.ref(Counter, 'has space')).toThrow(ValidationError);
    expect(() => defineAgent({ type: 'bad type!', handles: {} })).toThrow(ValidationError);
    await expect(rt.register(Counter)).rejects.toBeInstanceOf(ValidationError);
    expect(() => createRuntime({ namespace: 'a.b' })).toThrow(ValidationError);
  });

  it('should refuse new asks after close with ClosedError', async () => {
    rt = createRuntime();
    await rt.register(Counter);
    await rt.close();
    await expect(rt.ref(Counter).ask(Add.create({ n: 1 }))).rejects.toBeInstanceOf(ClosedError);
  });
});
