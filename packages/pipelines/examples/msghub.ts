// A port of a typical AgentScope MsgHub program: an announcement, three participants who speak in
// turn, one who joins and one who leaves, a broadcast from the host, and who heard what.
import { createRuntime, defineAgent, defineMessage, type HandlerContext, on } from '@troupe/core';
import { HubMessage, type HubMessagePayload, msgHub } from '@troupe/pipelines';
import { z } from 'zod';

/** AgentScope's `await agent()`: speak, given what you have observed. */
const Speak = defineMessage('friend.speak', z.object({}));
/** AgentScope's `agent.memory.get_memory()`. */
const Recall = defineMessage('friend.recall', z.object({}));

type Memory = HubMessagePayload[];

function friend(name: string, age: number, career: string) {
  return defineAgent({
    type: name.toLowerCase(),
    initialState: (): Memory => [],
    handles: {
      // AgentScope's `observe`: remember, say nothing.
      [HubMessage.type]: on(HubMessage, (msg, ctx: HandlerContext<Memory>) => {
        ctx.setState((memory) => [...memory, msg]);
      }),
      [Speak.type]: on(Speak, (_, ctx: HandlerContext<Memory>) => {
        return `I'm ${name}, ${age}, a ${career}; I have heard ${ctx.state.length} message(s).`;
      }),
      [Recall.type]: on(Recall, (_, ctx: HandlerContext<Memory>) => ctx.state),
    },
  });
}

const friends = [
  friend('Alice', 30, 'teacher'),
  friend('Bob', 25, 'designer'),
  friend('Charlie', 35, 'chef'),
];
const Dave = friend('Dave', 28, 'pilot');
await using runtime = createRuntime();
for (const def of [...friends, Dave]) await runtime.register(def);
const [alice, bob, charlie] = friends.map((def) => runtime.ref(def));
const dave = runtime.ref(Dave);
if (!alice || !bob || !charlie) throw new Error('three friends expected');

{
  // `async with MsgHub(participants=[alice, bob, charlie], announcement=...) as hub:`
  await using hub = await msgHub({
    participants: [alice, bob, charlie],
    announcement: 'Introduce yourselves: name, age and career.',
  });
  for (const speaker of [alice, bob, charlie]) console.log(await hub.ask(speaker, Speak.create({})));
  hub.add(dave).remove(alice); // AgentScope: hub.add(dave); hub.delete(alice)
  await hub.broadcast('Alice has left; Dave has joined.');
  console.log(await hub.ask(dave, Speak.create({})));
  console.log(await hub.ask(alice, Speak.create({}))); // no longer a participant: nobody hears this
}

for (const ref of [alice, bob, charlie, dave]) {
  const memory = (await ref.ask(Recall.create({}))) as Memory;
  console.log(`${ref.address.type} heard: ${memory.map((m) => m.from).join(', ')}`);
}
