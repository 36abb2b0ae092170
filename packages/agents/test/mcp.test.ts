import { mcpStdioCommand, startMcpHttpServer } from '@troupe/testing';
import { describe, expect, it } from 'vitest';
import { connectMcp, type McpConnection, runToolCalls, ScriptedModel, type Tool } from '../src/index.js';

function byName(tools: readonly Tool[], name: string): Tool {
  const found = tools.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}

const ctx = () => ({ signal: new AbortController().signal, callId: 'c' });

async function exercise(mcp: McpConnection): Promise<void> {
  expect(mcp.tools.map((t) => t.name).sort()).toEqual(['add', 'echo', 'fail', 'slow']);
  const add = byName(mcp.tools, 'add');
  expect(add.parameters).toMatchObject({
    type: 'object',
    properties: { a: { type: 'number' }, b: { type: 'number' } },
  });
  expect(await add.call('{"a":2,"b":40}', ctx())).toEqual({ ok: true, value: '42', content: '42' });
  expect(await byName(mcp.tools, 'fail').call('{}', ctx())).toMatchObject({
    ok: false,
    content: 'Error: the fail tool failed, as it always does',
  });
  expect(await add.call('{"a":2,', ctx())).toMatchObject({
    ok: false,
    content: expect.stringMatching(/not valid JSON/),
  });
  expect(await add.call('[2, 40]', ctx())).toMatchObject({
    ok: false,
    content: 'Error: arguments for add must be a JSON object',
  });
  const invalid = await add.call('{"a":"two","b":1}', ctx());
  expect(invalid.ok).toBe(false);
  expect(invalid.content).toMatch(
    /^Error: .*Invalid arguments for tool add: .*expected number, received string at a/,
  );

  // A model-driven round: the scripted model asks for two MCP tools at once.
  const model = new ScriptedModel({
    script: [
      {
        toolCalls: [
          { name: 'add', arguments: { a: 1, b: 2 } },
          { name: 'echo', arguments: { text: 'hey' } },
        ],
      },
    ],
  });
  const { toolCalls } = await model.chat({ messages: [{ role: 'user', content: 'go' }], tools: mcp.tools });
  const results = await runToolCalls(toolCalls, mcp.tools);
  expect(results.map((r) => r.content)).toEqual(['3', 'hey']);

  const controller = new AbortController();
  const slow = byName(mcp.tools, 'slow').call('{"ms":60000}', { signal: controller.signal, callId: 's' });
  setTimeout(() => controller.abort(new Error('enough')), 100);
  await expect(slow).rejects.toThrow('enough');
}

// Each test starts a real server process through tsx: slow on a loaded two-core machine.
describe('MCP tools through @modelcontextprotocol/sdk', { timeout: 90_000 }, () => {
  it('should list and call the tools of a real server process over stdio', async () => {
    const { command, args } = mcpStdioCommand();
    await using mcp = await connectMcp({ command, args, stderr: 'ignore' }, { timeout: 20_000 });
    await exercise(mcp);
  });

  it('should list and call the tools of a real server process over streamable HTTP', async () => {
    await using server = await startMcpHttpServer();
    await using mcp = await connectMcp({ url: server.url }, { timeout: 20_000, prefix: 'test' });
    expect(mcp.tools.map((t) => t.name).sort()).toEqual(['test_add', 'test_echo', 'test_fail', 'test_slow']);
    expect(await byName(mcp.tools, 'test_add').call({ a: 20, b: 22 }, ctx())).toMatchObject({
      ok: true,
      content: '42',
    });
    // The server learns of the cancelled call.
    const controller = new AbortController();
    const slow = byName(mcp.tools, 'test_slow').call('{"ms":60000}', {
      signal: controller.signal,
      callId: 's',
    });
    setTimeout(() => controller.abort(new Error('enough')), 100);
    await expect(slow).rejects.toThrow('enough');
    await expect.poll(() => server.stderr(), { timeout: 10_000 }).toContain('slow: cancelled');
  });
});
