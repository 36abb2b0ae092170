import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NATS_INSTALL_MESSAGE } from './natsBin.js';

export const HOST = '127.0.0.1';
const STOP_GRACE_MS = 5_000;
const PROBE_TIMEOUT_MS = 1_000;
const LOG_LINES_KEPT = 200;
const LOG_LINES_REPORTED = 25;

export interface Proc {
  child: ChildProcess;
  pid: number;
  ready: boolean;
  done: boolean;
  exitReason: string;
  closed: Promise<void>;
}

export interface LaunchSpec {
  bin: string;
  configFile: string;
  dir: string;
  debug: boolean;
  timeoutMs: number;
}

export interface Ports {
  port: number;
  monitorPort: number;
}

// A crashed test file must not leave servers or temp dirs behind; 'exit' handlers can only do synchronous work.
const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function killNatsServersOnExit(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Best effort: the process is going away either way.
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killNatsServersOnExit);
}

/** Marks a temp dir for removal if the process exits before close(); pass false once it is gone. */
export function trackDir(dir: string, live: boolean): void {
  installExitHook();
  if (live) liveDirs.add(dir);
  else liveDirs.delete(dir);
}

function track(child: ChildProcess): void {
  installExitHook();
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

function launch(spec: LaunchSpec, logs: string[]): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.bin, ['-c', spec.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let markClosed = (): void => {};
    const closed = new Promise<void>((r) => {
      markClosed = r;
    });
    const proc: Proc = { child, pid: -1, ready: false, done: false, exitReason: '', closed };
    let partial = '';
    const record = (line: string): void => {
      logs.push(line);
      if (logs.length > LOG_LINES_KEPT) logs.shift();
      if (line.includes('Server is ready')) proc.ready = true;
      if (spec.debug) process.stderr.write(`[nats-server] ${line}\n`);
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) record(line);
    });
    child.once('spawn', () => {
      proc.pid = child.pid ?? -1;
      track(child);
      resolve(proc);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (proc.pid !== -1) return;
      reject(err.code === 'ENOENT' ? new Error(NATS_INSTALL_MESSAGE, { cause: err }) : err);
    });
    child.once('close', (code, signal) => {
      if (partial !== '') record(partial);
      proc.done = true;
      proc.exitReason = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
      markClosed();
    });
  });
}

async function readPorts(dir: string, pid: number): Promise<Ports | undefined> {
  try {
    const info = JSON.parse(await readFile(join(dir, `nats-server_${pid}.ports`), 'utf8')) as {
      nats?: string[];
      monitoring?: string[];
    };
    const nats = info.nats?.[0];
    const monitoring = info.monitoring?.[0];
    if (nats === undefined || monitoring === undefined) return undefined;
    return { port: Number(new URL(nats).port), monitorPort: Number(new URL(monitoring).port) };
  } catch {
    // Not written yet, or caught mid-write.
    return undefined;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: HOST, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function healthy(monitorPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://${HOST}:${monitorPort}/healthz`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export async function terminate(proc: Proc, graceful: boolean): Promise<void> {
  if (proc.done) return;
  proc.child.kill(graceful ? 'SIGTERM' : 'SIGKILL');
  const force = graceful ? setTimeout(() => proc.child.kill('SIGKILL'), STOP_GRACE_MS) : undefined;
  await proc.closed;
  clearTimeout(force);
}

function startupError(proc: Proc, reason: string, logs: string[]): Error {
  const tail = logs.slice(-LOG_LINES_REPORTED).join('\n') || '(no output)';
  return new Error(`nats-server (pid ${proc.pid}) ${reason}; last stderr lines:\n${tail}`);
}

export async function startProcess(spec: LaunchSpec, logs: string[]): Promise<{ proc: Proc; ports: Ports }> {
  const proc = await launch(spec, logs);
  const deadline = Date.now() + spec.timeoutMs;
  let ports: Ports | undefined;
  let accepting = false;
  try {
    for (;;) {
      if (proc.done) throw startupError(proc, `${proc.exitReason} before it was ready`, logs);
      if (Date.now() > deadline) {
        throw startupError(proc, `was not ready within ${spec.timeoutMs} ms and was killed`, logs);
      }
      ports ??= await readPorts(spec.dir, proc.pid);
      if (ports !== undefined && proc.ready) {
        accepting ||= await canConnect(ports.port);
        // /healthz also covers JetStream having recovered its streams.
        if (accepting && (await healthy(ports.monitorPort))) return { proc, ports };
      }
      await sleep(25);
    }
  } catch (err) {
    // Covers the timeout as well as anything unexpected: never leave a half-started server behind.
    await terminate(proc, false);
    throw err;
  }
}
