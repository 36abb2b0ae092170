import { createRuntime, defineAgent, defineMessage, on } from '@troupe/core';
import { z } from 'zod';

const Greet = defineMessage('greet', z.object({ name: z.string() }));
const Shout = defineMessage('shout', z.object({ text: z.string() }));

const Loud = defineAgent({
  type: 'loud',
  handles: { [Shout.type]: on(Shout, ({ text }) => `${text.toUpperCase()}!`) },
});

const Greeter = defineAgent({
  type: 'greeter',
  handles: {
    [Greet.type]: on(Greet, ({ name }, ctx) =>
      ctx.ask<string>(Loud, Shout.create({ text: `hello ${name}` })),
    ),
  },
});

await using runtime = createRuntime();
await runtime.register(Loud);
await runtime.register(Greeter);
console.log(await runtime.ref(Greeter).ask(Greet.create({ name: 'troupe' }), { timeout: 1_000 }));
