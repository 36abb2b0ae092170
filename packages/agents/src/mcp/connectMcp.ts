import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { asCancellation } from '@troupe/core';
import type { JsonSchema } from '../model/types.js';
import { failure, parseArguments, success, type Tool, type ToolOutcome } from '../tools/tool.js';

/** An MCP server to talk to: a command started as a child process (stdio), or a streamable HTTP endpoint. */
export type McpServerSpec =
  | {
      command: string;
      args?: string[];
      /** The child's environment (default: the MCP SDK's safe subset of this process's). */
      env?: Record<string, string>;
      cwd?: string;
      /** The child's stderr (default `inherit`). */
      stderr?: 'inherit' | 'pipe' | 'ignore';
    }
  | { url: string | URL; headers?: Record<string, string> };

/** Options of {@link connectMcp}. */
export interface ConnectMcpOptions {
  /** Prepended to every tool name with `_` (keeps tools of several servers apart). */
  prefix?: string;
  /** Bounds connecting and listing tools, ms. */
  timeout?: number;
  signal?: AbortSignal;
  /** Bounds each tool call, ms (default: the MCP SDK's 60 s). */
  callTimeout?: number;
}

/** A live MCP session: its tools as Troupe {@link Tool}s; `close()` ends the session (and a stdio child). */
export interface McpConnection extends AsyncDisposable {
  readonly tools: readonly Tool[];
  close(): Promise<void>;
}

/**
 * Connects to an MCP server through `@modelcontextprotocol/sdk` and lists
 * its tools. Calls go to the server as they are (it validates them against
 * its schemas); arguments that are not JSON, unknown tools and `isError`
 * results come back as error observations.
 * @example
 * await using mcp = await connectMcp({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] });
 */
export async function connectMcp(
  server: McpServerSpec,
  options: ConnectMcpOptions = {},
): Promise<McpConnection> {
  const transport: Transport =
    'url' in server
      ? new StreamableHTTPClientTransport(new URL(server.url), {
          ...(server.headers ? { requestInit: { headers: server.headers } } : {}),
        })
      : new StdioClientTransport({
          command: server.command,
          args: server.args ?? [],
          stderr: server.stderr ?? 'inherit',
          ...(server.env ? { env: server.env } : {}),
          ...(server.cwd ? { cwd: server.cwd } : {}),
        });
  const client = new Client({ name: 'troupe', version: '0.1.0' });
  const request = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  };
  const listed: Array<{ name: string; description?: string | undefined; inputSchema: JsonSchema }> = [];
  try {
    await client.connect(transport, request);
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, request);
      listed.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
  } catch (err) {
    await client.close().catch(() => {});
    throw options.signal?.aborted ? asCancellation(options.signal.reason) : err;
  }
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      if (transport instanceof StreamableHTTPClientTransport)
        await transport.terminateSession().catch(() => {});
      await client.close();
    })();
    return closed;
  };
  const tools = listed.map((t) => mcpTool(client, t, options));
  return { tools, close, [Symbol.asyncDispose]: close };
}

function mcpTool(
  client: Client,
  listed: { name: string; description?: string | undefined; inputSchema: JsonSchema },
  options: ConnectMcpOptions,
): Tool {
  const name = `${options.prefix ? `${options.prefix}_` : ''}${listed.name}`
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 64);
  return {
    name,
    description: listed.description ?? listed.name,
    parameters: listed.inputSchema,
    async call(args, ctx): Promise<ToolOutcome> {
      const parsed = parseArguments(args);
      if (!parsed.ok) return failure(`arguments are not valid JSON: ${parsed.problem}`);
      const value = parsed.value;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return failure(`arguments for ${name} must be a JSON object`);
      }
      let result: Awaited<ReturnType<Client['callTool']>>;
      try {
        result = await client.callTool(
          { name: listed.name, arguments: value as Record<string, unknown> },
          undefined,
          {
            signal: ctx.signal,
            ...(options.callTimeout !== undefined ? { timeout: options.callTimeout } : {}),
          },
        );
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        return failure(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const text = contentText(result);
      return result.isError === true ? failure(text || `${name} failed`) : success(text);
    },
  };
}

/** The text of a tool result: its text parts joined; other parts named; structured content as JSON when there is no text. */
function contentText(result: Record<string, unknown>): string {
  const parts = Array.isArray(result.content) ? (result.content as Array<Record<string, unknown>>) : [];
  const texts = parts.map((p) => {
    if (p.type === 'text') return String(p.text ?? '');
    if (p.type === 'resource_link' || p.type === 'resource') return `[resource ${String(p.uri ?? '')}]`;
    return `[${String(p.type)}${p.mimeType ? ` ${String(p.mimeType)}` : ''}]`;
  });
  if (texts.length === 0 && result.structuredContent !== undefined)
    return JSON.stringify(result.structuredContent);
  return texts.join('\n');
}
