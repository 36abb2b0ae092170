import { ClosedError, createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import { HubMessage, type HubMessagePayload, msgHub, run, sequential } from '@troupe/pipelines';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const Speak = defineMessage('test.speak', z.object({ topic: z.string() }));

/** A panelist who remembers what it observed and answers with how much it has heard. */
function panelist(name: string, heard: Map<string, HubMessagePayload[]>) {
  heard.set(name, []);
  return defineAgent({
    type: `panel.${name}`,
    handles: {
      [HubMessage.type]: on(HubMessage, (msg) => {
        heard.get(name)?.push(msg);
      }),
      [Speak.type]: on(Speak, ({ topic }) => `${name} on ${topic} (heard ${heard.get(name)?.length ?? 0})`),
    },
  });
}

describe('MsgHub', () => {
  it("should broadcast the announcement and each participant's reply to the others", async () => {
    await using runtime = createRuntime();
    const heard = new Map<string, HubMessagePayload[]>();
    const [A, B, C] = ['alice', 'bob', 'carol'].map((n) => panelist(n, heard)) as [
      ReturnType<typeof panelist>,
      ReturnType<typeof panelist>,
      ReturnType<typeof panelist>,
    ];
    for (const def of [A, B, C]) await runtime.register(def);
    const [alice, bob, carol] = [runtime.ref(A), runtime.ref(B), runtime.ref(C)];
    {
      await using hub = msgHub({ participants: [alice, bob, carol], announcement: 'Topic: tabs or spaces?' });
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

  it('should add participants, speak inside pipelines, and refuse use after close', async () => {
    await using runtime = createRuntime();
    const heard = new Map<string, HubMessagePayload[]>();
    const A = panelist('ann', heard);
    const B = panelist('ben', heard);
    await runtime.register(A);
    await runtime.register(B);
    const [ann, ben] = [runtime.ref(A), runtime.ref(B)];
    const hub = msgHub({ participants: [ann] });
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
