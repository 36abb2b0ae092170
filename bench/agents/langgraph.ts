/** LangGraph.js's prebuilt ReAct agent with a fake chat model that plays the same steps as the ScriptedModel. */
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';

/** Asks for the `step` tool until `steps` tool results are in, then answers (no latency, no tokens). */
class FakeStepModel extends BaseChatModel {
  readonly #steps: number;

  constructor(steps: number) {
    super({});
    this.#steps = steps;
  }

  _llmType(): string {
    return 'fake-steps';
  }

  override bindTools(): this {
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const done = messages.filter((m) => m.getType() === 'tool').length;
    const message =
      done < this.#steps
        ? new AIMessage({
            content: '',
            tool_calls: [{ id: `call_${done}`, name: 'step', args: { n: done } }],
          })
        : new AIMessage({ content: 'done' });
    return { generations: [{ message, text: typeof message.content === 'string' ? message.content : '' }] };
  }
}

const step = tool(async ({ n }: { n: number }) => String(n + 1), {
  name: 'step',
  description: 'One step of work',
  schema: z.object({ n: z.number() }),
});

/** A compiled `createReactAgent` whose runs take `steps` tool steps, then a final answer. */
export function langGraphReAct(steps: number): {
  invoke(input: { messages: Array<{ role: string; content: string }> }): Promise<unknown>;
} {
  return createReactAgent({ llm: new FakeStepModel(steps), tools: [step] });
}
