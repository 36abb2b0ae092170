import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServer, NATS_INSTALL_MESSAGE } from './natsBin.js';
import { type NatsAccounts, type NatsAuth, type NatsTls, renderConfig } from './natsConfig.js';
import {
  HOST,
  type LaunchSpec,
  type Ports,
  type Proc,
  startProcess,
  terminate,
  trackDir,
} from './natsProcess.js';

/** Options for {@link startNatsServer}; every field is optional. */
export interface NatsServerOptions {
  /** Enable JetStream with a store dir inside the server's temp dir (default true). */
  jetstream?: boolean;
  /** Client port; omitted or 0 lets nats-server pick a free one. */
  port?: number;
  /** Require a token, a user/password, or one of several users (each with optional subject permissions). */
  auth?: NatsAuth;
  /** Accounts, each a separate subject space (and JetStream, when on) with its own users. */
  accounts?: NatsAccounts;
  /** Serve TLS on the client port using these PEM files. */
  tls?: NatsTls;
  /** Maximum message payload in bytes. */
  maxPayload?: number;
  /** Raw nats-server config text appended to the generated config. */
  config?: string;
  /** Mirror the server's log lines to this process's stderr. */
  debug?: boolean;
  /** Executable to run; defaults to `$NATS_SERVER_BIN`, then `nats-server` on PATH, then /usr/sbin. */
  bin?: string;
  /** How long to wait for the server to accept clients before killing it (default 10000). */
  startupTimeoutMs?: number;
}

/** A nats-server child process owned by the test; dispose it with `await using`. */
export interface NatsServer extends AsyncDisposable {
  /** Client URL, e.g. `nats://127.0.0.1:4567`. */
  readonly url: string;
  /** Always 127.0.0.1. */
  readonly host: string;
  /** Client port; stays the same across restarts. */
  readonly port: number;
  /** Monitoring endpoint base URL; may change on restart. */
  readonly monitorUrl: string;
  /** Temp dir holding the config, ports file and JetStream store; removed by close(). */
  readonly dir: string;
  /** JetStream `store_dir`; survives stop() and restart(). */
  readonly storeDir: string;
  /** Pid of the most recently started process. */
  readonly pid: number;
  /** Whether that process is still alive. */
  readonly running: boolean;
  /** The last log lines the server wrote (across restarts). */
  logs(): string[];
  /** SIGTERM, then SIGKILL after 5 s; keeps the temp dir so restart() can reuse it. */
  stop(): Promise<void>;
  /** stop(), then start again on the same port, config and store dir, and wait until ready. */
  restart(): Promise<void>;
  /** SIGKILL with no graceful shutdown, to simulate a crash. */
  kill(): Promise<void>;
  /** Stop the server and delete its temp dir; safe to call more than once. */
  close(): Promise<void>;
}

class ManagedNatsServer implements NatsServer {
  readonly host = HOST;
  readonly url: string;
  #proc: Proc;
  #monitorPort: number;
  #closing: Promise<void> | undefined;

  constructor(
    readonly port: number,
    readonly dir: string,
    readonly storeDir: string,
    private readonly spec: LaunchSpec,
    private readonly logLines: string[],
    started: { proc: Proc; ports: Ports },
  ) {
    this.url = `nats://${HOST}:${port}`;
    this.#proc = started.proc;
    this.#monitorPort = started.ports.monitorPort;
  }

  get monitorUrl(): string {
    return `http://${HOST}:${this.#monitorPort}`;
  }

  get pid(): number {
    return this.#proc.pid;
  }

  get running(): boolean {
    return !this.#proc.done;
  }

  logs(): string[] {
    return [...this.logLines];
  }

  stop(): Promise<void> {
    return terminate(this.#proc, true);
  }

  kill(): Promise<void> {
    return terminate(this.#proc, false);
  }

  async restart(): Promise<void> {
    if (this.#closing !== undefined) throw new Error('nats-server was closed; start a new one instead');
    await this.stop();
    const started = await startProcess(this.spec, this.logLines);
    this.#proc = started.proc;
    this.#monitorPort = started.ports.monitorPort;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.stop();
      await rm(this.dir, { recursive: true, force: true });
      trackDir(this.dir, false);
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Starts a private nats-server on 127.0.0.1 in a fresh temp dir and resolves once it accepts clients. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = findNatsServer(options.bin);
  if (bin === undefined) throw new Error(NATS_INSTALL_MESSAGE);
  // nats-server reads port 0 as "the default 4222"; -1 is how it spells "any free port".
  const requestedPort = options.port === undefined || options.port === 0 ? -1 : options.port;
  const dir = await mkdtemp(join(tmpdir(), 'troupe-nats-'));
  trackDir(dir, true);
  const storeDir = join(dir, 'jetstream');
  const spec: LaunchSpec = {
    bin,
    configFile: join(dir, 'nats-server.conf'),
    dir,
    debug: options.debug ?? false,
    timeoutMs: options.startupTimeoutMs ?? 10_000,
  };
  const render = (port: number): string =>
    renderConfig({
      host: HOST,
      port,
      dir,
      storeDir,
      jetstream: options.jetstream ?? true,
      auth: options.auth,
      accounts: options.accounts,
      tls: options.tls,
      maxPayload: options.maxPayload,
      extra: options.config,
    });
  const logs: string[] = [];
  let started: { proc: Proc; ports: Ports } | undefined;
  try {
    await writeFile(spec.configFile, render(requestedPort));
    started = await startProcess(spec, logs);
    // Pin the chosen port so restart() comes back where reconnecting clients expect it.
    await writeFile(spec.configFile, render(started.ports.port));
    return new ManagedNatsServer(started.ports.port, dir, storeDir, spec, logs, started);
  } catch (err) {
    if (started !== undefined) await terminate(started.proc, false);
    await rm(dir, { recursive: true, force: true });
    trackDir(dir, false);
    throw err;
  }
}
