#!/usr/bin/env node
// Stand-in for `claude` (Claude Code 2.x) in headless mode: `claude -p --output-format stream-json
// --verbose [--model m] [--resume id] [--input-format stream-json] -- <prompt>`.
// The prompt picks a scenario with `scenario:<ok|fail|is_error|hang|stubborn|big|echo|unknown|slow>`.
import { createInterface } from 'node:readline';
import { runClaudeLike } from './claudeLike.mjs';
import { afterDashes, exit, flag, write } from './common.mjs';

const args = process.argv.slice(2);
if (!args.includes('-p') && !args.includes('--print')) {
  await write('fake-claude: only headless mode (-p) is simulated\n');
  await exit(2);
}
if (flag(args, '--output-format') !== 'stream-json' || !args.includes('--verbose')) {
  process.stderr.write('Error: When using --print, --output-format=stream-json requires --verbose\n');
  await exit(1);
}
const dialect = {
  versionField: 'claude_code_version',
  version: '2.1.332',
  tools: { write: 'Write', todo: 'TodoWrite', shell: 'Bash' },
  errorResult: (base, text) => ({ ...base, errors: [text] }),
};
let prompt = afterDashes(args);
if (flag(args, '--input-format') !== 'stream-json' && !process.stdin.isTTY) {
  // Like `cat file | claude -p "…"`: piped input is read to its end and added to the prompt,
  // so a caller that leaves the pipe open makes the CLI wait forever.
  let piped = '';
  for await (const chunk of process.stdin) piped += chunk;
  if (piped !== '') prompt = `${prompt ?? ''}\n${piped}`;
} else if (flag(args, '--input-format') === 'stream-json') {
  // Follow-up mode: every stdin line is a user turn; the conversation is one prompt per line.
  const lines = createInterface({ input: process.stdin });
  const turns = [];
  for await (const line of lines) {
    const text = JSON.parse(line).message.content[0].text;
    turns.push(text);
    if (text.includes('scenario:')) break;
  }
  prompt = turns.join(' / ');
}
await runClaudeLike({
  prompt: prompt ?? '',
  model: flag(args, '--model'),
  resume: flag(args, '--resume'),
  dialect,
  cwd: process.cwd(),
});
