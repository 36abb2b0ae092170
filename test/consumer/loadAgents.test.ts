/**
 * loadAgents' errors as troupe-worker reports them. The TypeScript paths (Node 20 without tsx: a
 * message saying so; with tsx installed: loaded through it) run for real in consumer.test.ts,
 * from the installed bin.
 */
import { AgentsModuleError } from '@troupe/nats';
import { describe, expect, it } from 'vitest';
import { loadAgents } from '../../packages/nats/src/loadAgents.js';

describe('loadAgents errors', () => {
  it('should reject a module that cannot be imported with AgentsModuleError, keeping the cause', async () => {
    const err = await loadAgents('./no/such/agents.mjs', '/tmp').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentsModuleError);
    expect(err).toMatchObject({
      code: 'AGENTS_MODULE',
      message: expect.stringContaining('/tmp/no/such/agents.mjs'),
    });
    expect((err as Error).cause).toBeInstanceOf(Error);
  });
});
