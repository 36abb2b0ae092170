/**
 * Programs whose result must not depend on the transport: an observer, an asker, a fan-out
 * branch each change the value they received. Run in process (test/pipelines/values.test.ts)
 * and over NATS (test/nats/values.test.ts); both must give {@link EXPECTED_HUB} and
 * {@link EXPECTED_FANOUT}.
 */
import { defineAgent, defineMessage, on, type Runtime } from '@troupe/core';
import {
  agentStep,
  dag,
  HubMessage,
  type HubMessagePayload,
  msgHub,
  parallel,
  run,
  TaskAssign,
  TaskGroup,
} from '@troupe/pipelines';
import { z } from 'zod';

/** Where the agents live (`host`) and where the program runs (`client`): one runtime in process. */
export interface World {
  readonly host: Runtime;
  readonly client: Runtime;
}

const Speak = defineMessage('values.speak', z.object({ topic: z.string() }));
const Recall = defineMessage('values.recall', z.object({}));
/** `doc` is opaque to the schema, so validation does not copy it by accident. */
const Append = defineMessage('values.append', z.object({ doc: z.unknown(), tag: z.string() }));

interface Said {
  text: string;
  votes: string[];
}
interface Memory {
  heard: HubMessagePayload[];
  said: Said | undefined;
}
interface Doc {
  tags: string[];
}

/** A panelist that remembers what it observed and what it said; `meddles` edits what it observes. */
function panelist(name: string, meddles: boolean) {
  const memory: Memory = { heard: [], said: undefined };
  return defineAgent({
    type: `values.${name}`,
    handles: {
      [HubMessage.type]: on(HubMessage, (msg) => {
        const content = msg.content as { votes?: string[] };
        if (meddles && Array.isArray(content.votes)) content.votes.push(name);
        memory.heard.push(msg);
      }),
      [Speak.type]: on(Speak, ({ topic }) => {
        memory.said = { text: `${name} on ${topic}`, votes: [name] };
        return memory.said;
      }),
      [Recall.type]: on(Recall, () => memory),
    },
  });
}

/** What each participant remembers, and what the asker holds, after an observer and the asker meddle. */
export async function hubScenario(world: World) {
  const defs = [panelist('alice', false), panelist('bob', true), panelist('carol', false)] as const;
  for (const def of defs) await world.host.register(def);
  const [alice, bob, carol] = defs.map((d) => world.client.ref(d));
  if (!alice || !bob || !carol) throw new Error('unreachable');
  const recall = async () => ({
    alice: await alice.ask(Recall.create({})),
    bob: await bob.ask(Recall.create({})),
    carol: await carol.ask(Recall.create({})),
  });
  const announcement = { topic: 'tabs', votes: [] as string[] };
  await using hub = await msgHub({ participants: [alice, bob, carol], announcement });
  // The announcement is observed before anyone uses the hub, even by a direct ask.
  const beforeUse = ((await alice.ask(Recall.create({}))) as Memory).heard.length;
  const reply = (await hub.ask(alice, Speak.create({ topic: 'tabs' }))) as Said;
  reply.votes.push('asker');
  return { beforeUse, announcement, reply, memories: await recall() };
}

const hubMsg = (from: string, content: unknown) => ({ hub: expectAnyString, from, content });
const expectAnyString = '<hub id>';

/** Replaces hub ids (random per run) so that results compare. */
export function withoutHubIds<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(/"hub":"[^"]+"/g, `"hub":"${expectAnyString}"`));
}

export const EXPECTED_HUB = {
  beforeUse: 1,
  // The caller's own announcement object: nobody's meddling reaches it.
  announcement: { topic: 'tabs', votes: [] },
  reply: { text: 'alice on tabs', votes: ['alice', 'asker'] },
  memories: {
    // The speaker's own state is not the asker's reply.
    alice: {
      heard: [hubMsg('hub', { topic: 'tabs', votes: [] })],
      said: { text: 'alice on tabs', votes: ['alice'] },
    },
    // bob changed his own copies only.
    bob: {
      heard: [
        hubMsg('hub', { topic: 'tabs', votes: ['bob'] }),
        hubMsg('values.alice', { text: 'alice on tabs', votes: ['alice', 'bob'] }),
      ],
    },
    carol: {
      heard: [
        hubMsg('hub', { topic: 'tabs', votes: [] }),
        hubMsg('values.alice', { text: 'alice on tabs', votes: ['alice'] }),
      ],
    },
  },
};

const Tagger = defineAgent({
  type: 'values.tagger',
  handles: {
    [Append.type]: on(Append, ({ doc, tag }) => {
      (doc as Doc).tags.push(tag);
      return doc as Doc;
    }),
    [TaskAssign.type]: on(TaskAssign, ({ label, input }) => {
      (input as Doc).tags.push(label);
      return input as Doc;
    }),
  },
});

/** Fan-out branches (agents and functions) that each append to the same nested array of their input. */
export async function fanOutScenario(world: World) {
  await world.host.register(Tagger, { instances: 2 });
  const tagger = world.client.ref(Tagger);
  const tagWith = (tag: string) => agentStep(tagger, (doc: Doc) => Append.create({ doc, tag }));
  const push = (tag: string) => (doc: Doc) => {
    doc.tags.push(tag);
    return doc;
  };

  const input: Doc = { tags: ['x'] };
  const fan = await run(
    parallel([tagWith('a'), tagWith('b'), push('c'), push('d')], { failFast: true }),
    input,
  ).result;

  const graph = await run(
    dag({
      a: tagWith('a'),
      b: push('b'),
      // Two dependents of `a`, each changing what it received from it.
      x: { deps: ['a'], step: ({ a }: { a: Doc }) => push('x')(a) },
      y: { deps: ['a'], step: ({ a }: { a: Doc }) => push('y')(a) },
    }),
    input,
  ).result;

  const group = new TaskGroup('values', { runtime: world.client, agent: Tagger.type });
  group
    .addTask('agent', { input })
    .addTask('step', { input, step: ({ input: doc }) => push('step')(doc as Doc) });
  const tasks = (await group.waitForCompletion({ timeout: 20_000 })).tasks.map((t) => [t.label, t.result]);
  return { input, fan, graph, tasks };
}

export const EXPECTED_FANOUT = {
  input: { tags: ['x'] },
  fan: [{ tags: ['x', 'a'] }, { tags: ['x', 'b'] }, { tags: ['x', 'c'] }, { tags: ['x', 'd'] }],
  graph: {
    a: { tags: ['x', 'a'] },
    b: { tags: ['x', 'b'] },
    x: { tags: ['x', 'a', 'x'] },
    y: { tags: ['x', 'a', 'y'] },
  },
  tasks: [
    ['agent', { tags: ['x', 'agent'] }],
    ['step', { tags: ['x', 'step'] }],
  ],
};

const Table = defineMessage('values.table', z.object({ rows: z.array(z.number()) }), { immutable: true });
const Editor = defineAgent({
  type: 'values.editor',
  handles: {
    [Table.type]: on(Table, (table) => {
      try {
        table.rows.push(4);
        return 'changed';
      } catch (err) {
        return err instanceof TypeError ? 'refused' : 'other error';
      }
    }),
  },
});

/** A payload declared immutable: frozen where it is received, whichever way it came. */
export async function immutableScenario(world: World) {
  await world.host.register(Editor);
  return await world.client.ref(Editor).ask(Table.create({ rows: [1, 2, 3] }));
}
