import { ClosedError, createRuntime, defineAgent, defineMessage, on, ValidationError } from '@troupe/core';
import {
  HubMessage,
  type HubMessagePayload,
  msgHub,
  type Participant,
  run,
  sequential,
} from '@troupe/pipelines';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const Speak = defineMessage('test.speak', z.object({ topic: z.string() }));
/** Answers with nothing (`null` when `asNull`, else a handler that returns no value). */
const Mumble = defineMessage('test.mumble', z.object({ asNull: z.boolean() }));
/** Speaks once `release` is called: for asks in flight. */
const SpeakLater = defineMessage('test.speakLater', z.object({}));

type Heard = Map<string, HubMessagePayload[]>;

/** A panelist who remembers what it observed and answers with how much it has heard. */
function panelist(name: string, heard: Heard, later?: Promise<void>) {
  heard.set(name, []);
  return defineAgent({
    type: `panel.${name}`,
    handles: {
      [HubMessage.type]: on(HubMessage, (msg) => {
        heard.get(name)?.push(msg);
      }),
      [Speak.type]: on(Speak, ({ topic }) => `${name} on ${topic} (heard ${heard.get(name)?.length ?? 0})`),
      [Mumble.type]: on(Mumble, ({ asNull }): null | undefined => (asNull ? null : undefined)),
      [SpeakLater.type]: on(SpeakLater, async () => {
        await later;
        return `${name}, late`;
      }),
    },
  });
}

/** A runtime with panelists registered, and their refs by name. */
async function panel(names: string[], later?: Promise<void>) {
  const runtime = createRuntime();
  const heard: Heard = new Map();
  const refs = [];
  for (const name of names) {
    const def = panelist(name, heard, later);
    await runtime.register(def);
    refs.push(runtime.ref(def));
  }
  return { runtime, heard, refs, from: (name: string) => heard.get(name)?.map((m) => m.from) };
}

describe('MsgHub', () => {
  it("should broadcast the announcement and each participant's reply to the others", async () => {
    const { runtime, heard, refs } = await panel(['alice', 'bob', 'carol']);
    await using _rt = runtime;
    const [alice, bob, carol] = refs as [(typeof refs)[0], (typeof refs)[0], (typeof refs)[0]];
    {
      await using hub = await msgHub({
        participants: [alice, bob, carol],
        announcement: 'Topic: tabs or spaces?',
      });
      expect(await hub.ask(alice, Speak.create({ topic: 'tabs' }))).toBe('alice on tabs (heard 1)');
      // bob has observed the announcement and alice's reply before he speaks.
      expect(await hub.ask(bob, Speak.create({ topic: 'tabs' }))).toBe('bob on tabs (heard 2)');
      hub.remove(alice);
      expect(await hub.ask(carol, Speak.create({ topic: 'tabs' }))).toBe('carol on tabs (heard 3)');
      expect(hub.participants.map((p) => p.address.type)).toEqual(['panel.bob', 'panel.carol']);
    }
    expect(heard.get('alice')?.map((m) => m.from)).toEqual(['hub', 'panel.bob']);
    expect(heard.get('bob')?.map((m) => m.from)).toEqual(['hub', 'panel.alice', 'panel.carol']);
    expect(heard.get('carol')?.map((m) => m.content)).toEqual([
      'Topic: tabs or spaces?',
      'alice on tabs (heard 1)',
      'bob on tabs (heard 2)',
    ]);
  });

  it('should have every participant observe the announcement before msgHub resolves, even for a direct ask', async () => {
    const { runtime, refs } = await panel(['ann', 'ben']);
    await using _rt = runtime;
    const [ann, ben] = refs as [(typeof refs)[0], (typeof refs)[0]];
    // A participant slow to take the hand-over (as a remote one can be): msgHub still waits for it.
    const slowAnn: Participant = {
      address: ann.address,
      tell: async (message, options) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await ann.tell(message, options);
      },
    };
    await using _hub = await msgHub({ participants: [slowAnn, ben], announcement: 'Welcome' });
    // Asked directly, not through the hub: the first participant has the announcement too.
    expect(await ann.ask(Speak.create({ topic: 'x' }))).toBe('ann on x (heard 1)');
    expect(await ben.ask(Speak.create({ topic: 'x' }))).toBe('ben on x (heard 1)');
  });

  it('should broadcast only the replies of participants: not of outsiders nor of removed members', async () => {
    const { runtime, heard, refs, from } = await panel(['a', 'b', 'c', 'out']);
    await using _rt = runtime;
    const [a, b, c, outsider] = refs as [
      (typeof refs)[0],
      (typeof refs)[0],
      (typeof refs)[0],
      (typeof refs)[0],
    ];
    await using hub = await msgHub({ participants: [a, b, c] });
    expect(await hub.ask(outsider, Speak.create({ topic: 't' }))).toBe('out on t (heard 0)');
    hub.remove(a);
    expect(await hub.ask(a, Speak.create({ topic: 't' }))).toBe('a on t (heard 0)');
    expect(await hub.ask(b, Speak.create({ topic: 't' }))).toBe('b on t (heard 0)');
    await hub.close();
    // Nobody heard the outsider or the removed `a`; only c heard b (a had left).
    expect(from('a')).toEqual([]);
    expect(from('b')).toEqual([]);
    expect(from('c')).toEqual(['panel.b']);
    expect(heard.get('out')).toEqual([]);
  });

  it('should not broadcast the reply of a participant removed while it was being asked', async () => {
    let release!: () => void;
    const later = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { runtime, from, refs } = await panel(['slow', 'quick', 'new'], later);
    await using _rt = runtime;
    const [slow, quick, late] = refs as [(typeof refs)[0], (typeof refs)[0], (typeof refs)[0]];
    await using hub = await msgHub({ participants: [slow, quick] });
    const asked = hub.ask(slow, SpeakLater.create({}));
    const asked2 = hub.ask(quick, SpeakLater.create({}));
    hub.remove(slow).add(late); // while both asks are in flight
    release();
    expect(await asked).toBe('slow, late'); // the asker still gets the reply
    expect(await asked2).toBe('quick, late');
    await hub.close();
    // slow's reply went to nobody; quick (still a member) was heard by the member added meanwhile.
    expect(from('quick')).toEqual([]);
    expect(from('new')).toEqual(['panel.quick']);
    expect(from('slow')).toEqual([]);
  });

  it('should broadcast nothing for a null reply or a handler that returns nothing', async () => {
    const { runtime, heard, refs } = await panel(['p', 'q']);
    await using _rt = runtime;
    const [p, q] = refs as [(typeof refs)[0], (typeof refs)[0]];
    await using hub = await msgHub({ participants: [p, q] });
    expect(await hub.ask(p, Mumble.create({ asNull: true }))).toBeNull();
    expect(await hub.ask(p, Mumble.create({ asNull: false }))).toBeUndefined();
    await hub.broadcast(null);
    await hub.close();
    expect(heard.get('q')).toHaveLength(0);
  });

  it('should broadcast only what broadcast() sends when auto-broadcast is off, until it is turned on', async () => {
    const { runtime, refs, from } = await panel(['u', 'v']);
    await using _rt = runtime;
    const [u, v] = refs as [(typeof refs)[0], (typeof refs)[0]];
    await using hub = await msgHub({ participants: [u, v], autoBroadcast: false, announcement: 'hi' });
    expect(hub.autoBroadcast).toBe(false);
    await hub.ask(u, Speak.create({ topic: 't' }));
    await hub.broadcast('note', { from: 'moderator' });
    hub.autoBroadcast = true;
    await hub.ask(u, Speak.create({ topic: 't' }));
    await hub.close();
    expect(from('v')).toEqual(['hub', 'moderator', 'panel.u']);
    expect(from('u')).toEqual(['hub', 'moderator']);
  });

  it('should remove one participant or a list, ignore non-members, and refuse what is not a participant', async () => {
    const { runtime, refs } = await panel(['r1', 'r2', 'r3', 'r4']);
    await using _rt = runtime;
    const [r1, r2, r3, r4] = refs as [(typeof refs)[0], (typeof refs)[0], (typeof refs)[0], (typeof refs)[0]];
    await using hub = await msgHub({ participants: [r1, r2, r3] });
    hub.remove([r1, r2]);
    expect(hub.participants.map((p) => p.address.type)).toEqual(['panel.r3']);
    hub.remove(r4).remove([r1]).remove({ type: 'panel.r3' }); // non-members ignored; by address works
    expect(hub.participants).toEqual([]);
    hub.add([r1, r2]);
    // A bad entry anywhere in the list removes nothing.
    expect(() => hub.remove([r1, 'r2' as never])).toThrow(ValidationError);
    expect(() => hub.remove([r1, 'r2' as never])).toThrow(
      /MsgHub\.remove: entry 1 is not a participant or agent address/,
    );
    expect(() => hub.add({ type: 'panel.r4' } as never)).toThrow(ValidationError);
    expect(hub.participants).toHaveLength(2);
  });

  it('should add participants, speak inside pipelines, and refuse use after close', async () => {
    const { runtime, heard, refs } = await panel(['ann', 'ben']);
    await using _rt = runtime;
    const [ann, ben] = refs as [(typeof refs)[0], (typeof refs)[0]];
    const hub = await msgHub({ participants: [ann] });
    hub.add([ben, ben]);
    expect(hub.participants).toHaveLength(2);
    const debate = sequential([
      hub.step(ann, (topic: string) => Speak.create({ topic })),
      hub.step(ben, (said: string) => Speak.create({ topic: said.slice(0, 3) })),
    ]);
    expect(await run(debate, 'naming').result).toBe('ben on ann (heard 1)');
    await hub.broadcast('wrap up');
    await hub.close();
    expect(heard.get('ann')?.map((m) => m.content)).toEqual(['ben on ann (heard 1)', 'wrap up']);
    expect(() => hub.broadcast('late')).toThrow(ClosedError);
  });
});
