import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SERVER = fileURLToPath(new URL('./mcpServerMain.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The command that starts the test MCP server on stdio (for an MCP client's stdio transport). */
export function mcpStdioCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', TSX, SERVER, '--stdio'] };
}

/** A test MCP server process serving streamable HTTP. */
export interface McpHttpServer extends AsyncDisposable {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  readonly pid: number;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** Stops the process (SIGTERM, SIGKILL after 5 s). Idempotent. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts the test MCP server (a real process) on streamable HTTP and resolves once it listens. */
export async function startMcpHttpServer(options: { timeoutMs?: number } = {}): Promise<McpHttpServer> {
  const child = spawn(process.execPath, ['--import', TSX, SERVER, '--http'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });
  let errors = '';
  child.stderr?.on('data', (d: Buffer) => {
    errors += d.toString();
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(force);
      }
    })();
    return closing;
  };
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`MCP server did not start: ${errors}`)),
      options.timeoutMs ?? 20_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`MCP server exited before listening: ${errors}`));
    });
  }).catch(async (err: unknown) => {
    await close();
    throw err;
  });
  return { url, pid: child.pid ?? -1, stderr: () => errors, close, [Symbol.asyncDispose]: close };
}
