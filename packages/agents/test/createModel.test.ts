import { ValidationError } from '@troupe/core';
import { describe, expect, it } from 'vitest';
import { AnthropicModel, createModel, MissingApiKeyError, OpenAIModel, ScriptedModel } from '../src/index.js';

describe('createModel', () => {
  it('should default to ScriptedModel without keys, and to OpenAI or Anthropic with theirs', () => {
    expect(createModel(undefined, { env: {} })).toBeInstanceOf(ScriptedModel);
    const openai = createModel(undefined, { env: { OPENAI_API_KEY: 'sk-x1234567890' } });
    expect([openai.constructor, openai.name]).toEqual([OpenAIModel, 'gpt-4.1-mini']);
    const anthropic = createModel(undefined, { env: { ANTHROPIC_API_KEY: 'sk-ant-1234567890' } });
    expect([anthropic.constructor, anthropic.provider]).toEqual([AnthropicModel, 'anthropic']);
    expect(createModel(undefined, { env: { TROUPE_MODEL: 'scripted:fake', OPENAI_API_KEY: 'k' } }).name).toBe(
      'fake',
    );
  });

  it('should name the missing variable in a typed error', () => {
    const cases: Array<[string, string]> = [
      ['openai:gpt-4.1-mini', 'OPENAI_API_KEY'],
      ['anthropic:claude-sonnet-4-6', 'ANTHROPIC_API_KEY'],
      ['openai-compatible:llama3.2', 'OPENAI_BASE_URL'],
      ['dashscope:qwen-plus', 'DASHSCOPE_API_KEY'],
      ['openrouter:meta-llama/llama-3.3-70b-instruct', 'OPENROUTER_API_KEY'],
    ];
    for (const [spec, variable] of cases) {
      const err = (() => {
        try {
          createModel(spec, { env: {} });
        } catch (e) {
          return e;
        }
      })();
      expect(err, spec).toBeInstanceOf(MissingApiKeyError);
      expect((err as MissingApiKeyError).variable).toBe(variable);
      expect((err as Error).message).toContain(variable);
    }
  });

  it('should build OpenAI-compatible models from OPENAI_BASE_URL and presets', () => {
    const compatible = createModel('openai-compatible:llama3.2', {
      env: { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
    });
    expect([compatible.provider, compatible.name]).toEqual(['openai-compatible', 'llama3.2']);
    const ollama = createModel('ollama:qwen3:8b', { env: {} });
    expect([ollama.provider, ollama.name]).toEqual(['ollama', 'qwen3:8b']);
    expect(
      createModel('dashscope:qwen-plus', { env: { DASHSCOPE_API_KEY: 'sk-d1234567890' } }).provider,
    ).toBe('dashscope');
  });

  it('should refuse unknown providers and specs without a model', () => {
    expect(() => createModel('gemini:pro', { env: {} })).toThrow(ValidationError);
    expect(() => createModel('openai', { env: { OPENAI_API_KEY: 'k' } })).toThrow(/names no model/);
  });

  it('should throw MissingApiKeyError from the classes too', () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      expect(() => new OpenAIModel({ model: 'gpt-4.1-mini' })).toThrow(MissingApiKeyError);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });
});
