import { Command, InvalidArgumentError, Option } from 'commander';
import type { RunFlags } from './commands/run.js';
import { EXIT_CODES_HELP, type ExitCodeValue } from './exitCodes.js';
import type { CliIo } from './io.js';
import { DEFAULT_STORE, json, namespaceOf, positiveInt, positiveNumber } from './options.js';

const storeOption = () => new Option('--store <dir>', 'the store directory of runs').default(DEFAULT_STORE);
const natsOption = (what: string) =>
  new Option('--nats <url>', `${what} (comma-separated for several servers)`);
const namespaceOption = () =>
  new Option('--namespace <ns>', 'the NATS namespace (default: $TROUPE_NAMESPACE, else "default")');
const outputOptions = (cmd: Command) =>
  cmd
    .option('--json', 'print progress events as JSON lines on stdout')
    .option('--plain', 'plain lines even on a terminal (the default when stdout is not one)');

/**
 * The `troupe` program (commander): every command, its flags, help with examples, and the exit-code
 * table. Each action stores its exit code through `done`. Commands are imported when they run, so
 * `--help`, `ls` or `replay` do not load the model SDKs and NATS.
 */
export function buildProgram(io: CliIo, done: (code: ExitCodeValue) => void): Command {
  const program = new Command('troupe')
    .description('Run, watch, replay and steer Troupe multi-agent runs.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Examples:
  troupe run "compare three actor runtimes for agents"     plan, route and execute a goal (orchestrate)
  troupe run ./workflow.ts --max-concurrency 4             run a workflow module with a live view
  troupe run --resume 20250101-120000-3f2a                 continue an interrupted run
  troupe watch 20250101-120000-3f2a                        watch a run another process runs
  troupe ls && troupe replay 20250101-120000-3f2a

${EXIT_CODES_HELP}`,
    );

  const run = program
    .command('run')
    .summary('run a goal or a workflow module with a live view')
    .description(
      'Runs a goal through orchestrate (plan → route → execute → re-plan → report), or a workflow module: one that\n' +
        'exports a pipelines step (run on --input) or a function (ctx) => RunHandle. Everything is journaled to\n' +
        'the store, so an interrupted run resumes with --resume without redoing finished sub-tasks.\n' +
        'The first Ctrl-C stops the run cleanly and prints how to resume it; a second one quits at once.',
    )
    .argument('[target]', 'a goal in quotes, or the path of a workflow module (.ts, .js, .mjs)')
    .option('--resume <runId>', 'continue an interrupted run from the store (its settings are reused)')
    .option(
      '--model <provider:model>',
      'the model: openai:<m>, anthropic:<m>, ollama:<m>, …, or scripted (default: by the keys set, else scripted)',
    )
    .option('--max-concurrency <n>', 'sub-tasks running at once', positiveInt)
    .addOption(natsOption('run on NATS: agents on troupe worker processes, progress on JetStream'))
    .addOption(namespaceOption())
    .addOption(storeOption())
    .option('--budget-tokens <n>', 'stop with a partial report past this many tokens', positiveInt)
    .option('--budget-usd <usd>', 'stop with a partial report past this cost in USD', positiveNumber)
    .option('--name <name>', 'the run name shown in views (default: the goal or the module name)')
    .option('--input <json>', 'the input of a workflow module that exports a step (JSON)', json)
    .option('--run-id <id>', 'the run id (default: the start time and 4 random hex digits)');
  outputOptions(run)
    .addHelpText(
      'after',
      `
Examples:
  troupe run "write a short report on actor runtimes"                   scripted model: no key, no server
  troupe run "triage the open issues" --model openai:gpt-4.1-mini --budget-usd 0.50
  troupe run ./workflow.ts --input '{"topic":"actors"}' --json > events.jsonl
  troupe run ./workflow.ts --nats nats://127.0.0.1:4222 --namespace demo
  troupe run --resume 20250101-120000-3f2a`,
    )
    .action(async (target: string | undefined, flags: RunFlags) =>
      done(await (await import('./commands/run.js')).runAction(target, flags, io)),
    );

  program
    .command('worker')
    .summary('host agents on NATS (troupe-worker)')
    .description('Hosts the agents a module exports on NATS. Flags: troupe worker --help.')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[flags...]', 'the troupe-worker flags')
    .action(async (args: string[]) =>
      done(await (await import('./commands/worker.js')).workerCommand(args, io)),
    );

  const watch = program
    .command('watch')
    .summary('live view of a run in another process')
    .argument('<runId>')
    .addOption(natsOption('follow the run on the JetStream progress stream (it may run on another machine)'))
    .addOption(namespaceOption())
    .addOption(storeOption());
  outputOptions(watch)
    .addHelpText(
      'after',
      '\nExamples:\n  troupe watch 20250101-120000-3f2a\n  troupe watch 20250101-120000-3f2a --nats nats://127.0.0.1:4222 --namespace demo',
    )
    .action(
      async (
        runId: string,
        flags: { store: string; nats?: string; namespace?: string; json?: boolean; plain?: boolean },
      ) =>
        done(
          await (await import('./commands/watch.js')).watchCommand(
            runId,
            {
              store: flags.store,
              namespace: namespaceOf(flags.namespace, io.env),
              output: flags.json ? 'json' : flags.plain || !io.stdout.isTTY ? 'plain' : 'live',
              ...(flags.nats === undefined ? {} : { nats: flags.nats }),
            },
            io,
          ),
        ),
    );

  program
    .command('serve')
    .summary('the HTTP + WebSocket API and the dashboard (@troupe/server)')
    .description(
      'Serves the task API (/api/v1/tasks, WS /ws/tasks/:id, /api/v1/openapi.json) and the dashboard at /.\n' +
        'Runs are kept under <store>/server, or in PostgreSQL/MySQL with --db (needs @troupe/sql).\n' +
        'Set TROUPE_API_TOKEN to require "Authorization: Bearer <token>" on every route and WebSocket.',
    )
    .addOption(new Option('--port <n>', 'the TCP port (0: a free one)').default(7070).argParser(port))
    .option('--host <host>', 'the interface to listen on', '127.0.0.1')
    .addOption(storeOption())
    .option('--db <url>', 'keep runs in a database: postgres://…, mysql://… (needs @troupe/sql)')
    .addOption(
      natsOption('also list and stream the runs of the NATS namespace (from its JetStream progress stream)'),
    )
    .addOption(namespaceOption())
    .option('--cors <origins>', 'comma-separated origins allowed to call the API from a browser')
    .option('--dashboard <dir>', 'the built dashboard to serve at / (default: @troupe/dashboard/dist)')
    .addHelpText(
      'after',
      '\nExamples:\n  TROUPE_API_TOKEN=s3cret troupe serve --port 7070\n  troupe serve --db postgres://postgres@127.0.0.1:5432/test --host 0.0.0.0',
    )
    .action(
      async (flags: Omit<import('./commands/serve.js').ServeFlags, 'namespace'> & { namespace?: string }) =>
        done(
          await (await import('./commands/serve.js')).serveCommand(
            { ...flags, namespace: namespaceOf(flags.namespace, io.env) },
            io,
          ),
        ),
    );

  program
    .command('status')
    .summary('state and progress of a run (default: the newest)')
    .argument('[runId]')
    .addOption(storeOption())
    .option('--json', 'print the record and snapshot as JSON')
    .addHelpText('after', '\nExamples:\n  troupe status\n  troupe status 20250101-120000-3f2a --json')
    .action(async (runId: string | undefined, flags: { store: string; json?: boolean }) =>
      done(await (await import('./commands/status.js')).statusCommand(runId, flags, io)),
    );

  program
    .command('ls')
    .summary('list the runs in the store')
    .addOption(storeOption())
    .option('--json', 'one JSON line per run')
    .action(async (flags: { store: string; json?: boolean }) =>
      done(await (await import('./commands/ls.js')).lsCommand(flags, io)),
    );

  program
    .command('replay')
    .summary("rebuild a run's progress from its event log: timeline and final snapshot")
    .argument('<runId>')
    .addOption(storeOption())
    .option('--json', 'print the rebuilt TaskProgress snapshot as JSON')
    .option('--no-timeline', 'only the final snapshot')
    .addHelpText(
      'after',
      '\nExamples:\n  troupe replay 20250101-120000-3f2a\n  troupe replay 20250101-120000-3f2a --json | jq .overallProgress',
    )
    .action(async (runId: string, flags: { store: string; json?: boolean; timeline?: boolean }) =>
      done(await (await import('./commands/replay.js')).replayCommand(runId, flags, io)),
    );

  for (const op of ['pause', 'resume', 'cancel'] as const) {
    const cmd = program
      .command(op)
      .summary(
        op === 'pause'
          ? 'pause a running run (running steps finish, no new step starts)'
          : op === 'resume'
            ? 'resume a paused run'
            : 'cancel a run (it stays resumable with troupe run --resume)',
      )
      .argument('<runId>')
      .addOption(natsOption('reach the run over its NATS control subject'))
      .addOption(namespaceOption())
      .addOption(storeOption());
    if (op === 'cancel') cmd.option('--reason <text>', 'why (shown in the report)');
    cmd
      .addHelpText(
        'after',
        `\nExamples:\n  troupe ${op} 20250101-120000-3f2a\n  troupe ${op} 20250101-120000-3f2a --nats nats://127.0.0.1:4222 --namespace demo`,
      )
      .action(
        async (runId: string, flags: { store: string; nats?: string; namespace?: string; reason?: string }) =>
          done(
            await (await import('./commands/control.js')).controlCommand(
              runId,
              op === 'cancel'
                ? { op, ...(flags.reason === undefined ? {} : { reason: flags.reason }) }
                : { op },
              {
                store: flags.store,
                namespace: namespaceOf(flags.namespace, io.env),
                ...(flags.nats === undefined ? {} : { nats: flags.nats }),
              },
              io,
            ),
          ),
      );
  }

  const answer = program
    .command('answer')
    .summary('answer a sub-task that suspended itself with a question')
    .argument('<runId>')
    .argument('<taskId>')
    .argument('<json>', 'the answer as JSON (validated against the question schema)')
    .addOption(natsOption('reach the run over its NATS control subject'))
    .addOption(namespaceOption())
    .addOption(storeOption());
  outputOptions(answer)
    .addHelpText(
      'after',
      `\nExamples:\n  troupe answer 20250101-120000-3f2a approve-deploy '{"approved":true}'\n  troupe answer 20250101-120000-3f2a pick-title '"Actors for agents"'`,
    )
    .action(
      async (
        runId: string,
        taskId: string,
        text: string,
        flags: { store: string; nats?: string; namespace?: string; json?: boolean; plain?: boolean },
      ) =>
        done(
          await (await import('./commands/answer.js')).answerCommand(
            runId,
            taskId,
            text,
            {
              store: flags.store,
              namespace: namespaceOf(flags.namespace, io.env),
              ...(flags.nats === undefined ? {} : { nats: flags.nats }),
              ...(flags.json ? { json: true } : {}),
              ...(flags.plain ? { plain: true } : {}),
            },
            io,
          ),
        ),
    );
  return program;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError(`expected a port 0-65535, got '${value}'`);
  return n;
}
