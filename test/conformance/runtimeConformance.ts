/**
 * Runtime behaviours every transport must keep, written once: a client
 * runtime asks agents hosted by a server runtime through the transport
 * under test.
 */
import {
  CancelledError,
  HandlerError,
  NoRespondersError,
  type ProgressEvent,
  type Runtime,
  TimeoutError,
  TroupeError,
  ValidationError,
} from '@troupe/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Append, Conf, Fail, Hang, hooks, Meet, Note, Ping, Read, Shape } from './agents.js';

/** A client runtime and a server runtime hosting {@link Conf}, connected by the transport under test. */
export interface ConformanceEnv extends AsyncDisposable {
  readonly client: Runtime;
  readonly server: Runtime;
}

/** Makes a fresh environment; the suite registers `Conf` on `server` itself. */
export type MakeEnv = () => Promise<ConformanceEnv>;

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function setup(makeEnv: MakeEnv, instances = 1): Promise<ConformanceEnv> {
  const env = await makeEnv();
  await env.server.register(Conf, { instances });
  return env;
}

/** Registers the conformance suite for one transport. */
export function runtimeConformance(name: string, makeEnv: MakeEnv): void {
  describe(`runtime conformance: ${name}`, () => {
    afterEach(() => {
      hooks.meet = async () => {};
      hooks.aborted = () => {};
      hooks.hanging = () => {};
    });

    it('should answer an ask with the handler reply', async () => {
      await using env = await setup(makeEnv);
      await expect(env.client.ref(Conf).ask(Ping.create({ text: 'hi' }))).resolves.toMatch(/^pong:hi:/);
      await expect(env.client.ref(Conf, 'k1').ask(Ping.create({ text: 'x' }))).resolves.toBe('pong:x:k1');
    });

    it('should deliver a tell without waiting for a reply', async () => {
      await using env = await setup(makeEnv);
      const ref = env.client.ref(Conf, 'notes');
      await ref.tell(Note.create({ text: 'a' }));
      await ref.tell(Note.create({ text: 'b' }));
      await expect
        .poll(async () => ((await ref.ask(Read.create({}))) as { notes: string[] }).notes)
        .toEqual(['a', 'b']);
    });

    it('should carry a typed structured reply intact', async () => {
      await using env = await setup(makeEnv);
      const reply = await env.client.ref(Conf).ask(Shape.create({ n: 7 }));
      expect(reply).toEqual({
        n: 7,
        list: [1, 'two', { three: 3 }],
        nested: { ok: true, none: null },
        text: 'ünïcødé ✓',
      });
    });

    it('should run messages to one instance one at a time in arrival order', async () => {
      await using env = await setup(makeEnv);
      const ref = env.client.ref(Conf, 'serial');
      const items = Array.from({ length: 20 }, (_, i) => i);
      // Sent back to back without awaiting: the instance must still take them in order, one at a time.
      const replies = await Promise.all(
        items.map((item) => ref.ask(Append.create({ item, delayMs: item % 3 }))),
      );
      expect(replies).toEqual(items);
      const state = (await ref.ask(Read.create({}))) as { items: number[]; maxRunning: number };
      expect(state.items).toEqual(items);
      expect(state.maxRunning).toBe(1);
    });

    it('should run different instances concurrently', async () => {
      await using env = await setup(makeEnv);
      const started = new Set<string>();
      const both = deferred<void>();
      hooks.meet = async (id) => {
        started.add(id);
        if (started.size === 2) both.resolve();
        await both.promise; // deadlocks (and times out) if the two instances were serialized
      };
      const a = env.client.ref(Conf, 'a').ask(Meet.create({ id: 'a' }), { timeout: 10_000 });
      const b = env.client.ref(Conf, 'b').ask(Meet.create({ id: 'b' }), { timeout: 10_000 });
      await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
    });

    it("should keep a handler error's code, message and cause", async () => {
      await using env = await setup(makeEnv);
      const err = await env.client
        .ref(Conf)
        .ask(Fail.create({ kind: 'plain' }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HandlerError);
      expect(err).toBeInstanceOf(TroupeError);
      expect((err as HandlerError).code).toBe('E_WRITE');
      expect((err as HandlerError).message).toBe('could not write');
      const cause = (err as Error).cause as Error;
      expect(cause).toBeInstanceOf(Error);
      expect(cause.message).toBe('could not write');
      expect((cause.cause as Error).message).toBe('disk on fire');
    });

    it('should keep the class of a Troupe error thrown by a handler', async () => {
      await using env = await setup(makeEnv);
      const err = await env.client
        .ref(Conf)
        .ask(Fail.create({ kind: 'typed' }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).code).toBe('VALIDATION');
      expect((err as ValidationError).path).toBe('payload.kind');
    });

    it('should answer an invalid payload with a ValidationError naming the field', async () => {
      await using env = await setup(makeEnv);
      // An untyped ref, as a caller without the agent's types (or another process) would have.
      const err = await env.client
        .ref({ type: Conf.type })
        .ask({ type: Ping.type, payload: { text: 42 } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).path).toBe('payload.text');
    });

    it('should reject an ask to an unknown type with NoRespondersError', async () => {
      await using env = await setup(makeEnv);
      const err = await env.client
        .ref({ type: 'conf.nobody' })
        .ask(Ping.create({ text: 'x' }), { timeout: 5_000 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoRespondersError);
      expect((err as NoRespondersError).code).toBe('NO_RESPONDERS');
    });

    it("should abort the handler's ctx.signal with a TimeoutError when the ask times out", async () => {
      await using env = await setup(makeEnv);
      const seen = deferred<unknown>();
      hooks.aborted = (_id, reason) => seen.resolve(reason);
      const err = await env.client
        .ref(Conf, 'slow')
        .ask(Hang.create({ id: 't' }), { timeout: 300 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(await seen.promise).toBeInstanceOf(TimeoutError);
    });

    it("should abort the handler's ctx.signal when the asker aborts", async () => {
      await using env = await setup(makeEnv);
      const seen = deferred<unknown>();
      const started = deferred<void>();
      hooks.hanging = () => started.resolve();
      hooks.aborted = (_id, reason) => seen.resolve(reason);
      const controller = new AbortController();
      const ask = env.client
        .ref(Conf, 'cancel')
        .ask(Hang.create({ id: 'c' }), { signal: controller.signal, timeout: 20_000 })
        .catch((e: unknown) => e);
      await started.promise;
      controller.abort(new Error('user pressed stop'));
      const err = await ask;
      expect(err).toBeInstanceOf(CancelledError);
      const reason = await seen.promise;
      expect(reason).toBeInstanceOf(CancelledError);
      expect((reason as Error).message).toBe('user pressed stop');
    });

    it('should emit task.started and task.completed progress for a handled ask', async () => {
      await using env = await setup(makeEnv);
      const events: ProgressEvent[] = [];
      const sub = env.server.progress$.subscribe((e) => events.push(e));
      try {
        await env.client.ref(Conf, 'p').ask(Ping.create({ text: 'x' }), { runId: 'run-conf' });
        await expect
          .poll(() => events.filter((e) => e.runId === 'run-conf').map((e) => e.kind))
          .toEqual(['task.started', 'task.completed']);
        const started = events.find((e) => e.kind === 'task.started');
        expect(started?.agent).toBe('conf.agent/p');
      } finally {
        sub.unsubscribe();
      }
    });
  });
}
