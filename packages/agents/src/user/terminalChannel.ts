import { createInterface, type Interface } from 'node:readline/promises';
import type { UserChannel, UserPrompt } from './channel.js';

/** Options of {@link terminalChannel}. */
export interface TerminalChannelOptions {
  /** Where answers are read (default `process.stdin`). */
  input?: NodeJS.ReadableStream;
  /** Where prompts are written (default `process.stderr`, so stdout stays the program's). */
  output?: NodeJS.WritableStream;
}

/** A {@link UserChannel} on a terminal; `close()` releases the input so the process can exit. */
export interface TerminalChannel extends UserChannel, Disposable {
  close(): void;
}

/**
 * Asks on the terminal through `node:readline`: one line per prompt, the
 * answer is the next line typed. Approvals show the tool and its arguments
 * and take `y`/`yes` for yes. An abort withdraws the question.
 * @example
 * using channel = terminalChannel();
 * await using runtime = createRuntime();
 * await runtime.register(userAgent({ channel }));
 */
export function terminalChannel(options: TerminalChannelOptions = {}): TerminalChannel {
  let rl: Interface | undefined;
  const open = (): Interface => {
    rl ??= createInterface({
      input: options.input ?? process.stdin,
      output: options.output ?? process.stderr,
      terminal: false,
    });
    return rl;
  };
  const close = () => {
    rl?.close();
    rl = undefined;
  };
  return {
    async ask(prompt, { signal }) {
      if (signal.aborted) throw signal.reason;
      try {
        return await open().question(`${render(prompt)} `, { signal });
      } catch (err) {
        throw signal.aborted ? signal.reason : err;
      }
    },
    close,
    [Symbol.dispose]: close,
  };
}

function render(prompt: UserPrompt): string {
  const from = prompt.from ? `[${prompt.from}] ` : '';
  if (prompt.kind === 'approval') {
    const args = JSON.stringify(prompt.arguments ?? {});
    return `${from}${prompt.text}\n  ${prompt.tool}(${args.length > 500 ? `${args.slice(0, 500)}…` : args})\n  allow? [y/N]`;
  }
  return prompt.choices ? `${from}${prompt.text} (${prompt.choices.join('/')})` : `${from}${prompt.text}`;
}
