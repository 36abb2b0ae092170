// Shared by the stand-in coding CLIs: scenarios, paced output, the hang and the big line.
import { randomUUID } from 'node:crypto';

/** Ms between printed lines (TROUPE_STANDIN_DELAY_MS, default 15). */
export const DELAY_MS = Number(process.env.TROUPE_STANDIN_DELAY_MS ?? 15);

/** The scenario named in the prompt as `scenario:<name>` (default `ok`). */
export function scenarioOf(prompt) {
  return /scenario:([a-z_]+)/.exec(prompt ?? '')?.[1] ?? 'ok';
}

/** A new session id. */
export function newSessionId() {
  return randomUUID();
}

/** Resolves after `ms`. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes one JSON line, waits for the pipe to take it, then pauses `DELAY_MS`. */
export async function emit(event) {
  await write(`${JSON.stringify(event)}\n`);
  await sleep(DELAY_MS);
}

/** Writes raw text, honouring back-pressure. */
export function write(text) {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

/** 200 KiB (and a bit) of text mixing 1-, 2-, 3- and 4-byte UTF-8 characters. */
export function bigText() {
  const unit = 'ascii é 中文 🙂 ';
  const times = Math.ceil((200 * 1024) / Buffer.byteLength(unit));
  return `${unit.repeat(times)}END`;
}

/** Never returns: the program stays alive, printing nothing more, until it is killed. */
export function hang() {
  setInterval(() => {}, 60_000);
  return new Promise(() => {});
}

/** Exits after stdout has flushed. */
export async function exit(code) {
  await write('');
  process.exit(code);
}

/** Value of `--name value` or `--name=value` in `args`. */
export function flag(args, name) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === name) return args[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

/** The arguments after `--`, joined (the prompt), or undefined. */
export function afterDashes(args) {
  const i = args.indexOf('--');
  return i === -1 ? undefined : args.slice(i + 1).join(' ');
}
