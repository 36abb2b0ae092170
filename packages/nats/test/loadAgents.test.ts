import { ValidationError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { isAgentDef, loadAgents } from '../src/index.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe('loadAgents', () => {
  it('should load every export with kind agent, once per type', async () => {
    const defs = await loadAgents(fixture('agentsModule.ts'));
    expect(defs.map((d) => d.type).sort()).toEqual(['mod.one', 'mod.two']);
    expect(defs.every(isAgentDef)).toBe(true);
  });

  it('should prefer a default export array', async () => {
    const defs = await loadAgents(fixture('defaultArray.ts'));
    expect(defs.map((d) => d.type)).toEqual(['mod.listed']);
  });

  it('should resolve a relative path against cwd', async () => {
    const dir = new URL('./fixtures/', import.meta.url).pathname;
    const defs = await loadAgents('./agentsModule.ts', dir);
    expect(defs).toHaveLength(2);
  });

  it('should refuse a module without agents', async () => {
    await expect(loadAgents(fixture('noAgents.ts'))).rejects.toBeInstanceOf(ValidationError);
  });
});
