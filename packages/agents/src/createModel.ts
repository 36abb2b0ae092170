import { ValidationError } from '@troupe/core';
import { AnthropicModel } from './anthropic/AnthropicModel.js';
import { MissingApiKeyError } from './model/errors.js';
import type { ModelCommonOptions } from './model/ModelEngine.js';
import type { ChatModel } from './model/types.js';
import { COMPAT_PRESETS, type OpenAICompat } from './openai/compat.js';
import { OpenAIModel } from './openai/OpenAIModel.js';
import { ScriptedModel, type ScriptedModelOptions } from './scripted/ScriptedModel.js';

/** Options of {@link createModel}: shared ones, plus what the chosen provider takes. */
export interface CreateModelOptions extends ModelCommonOptions {
  /** Where keys and base URLs are read from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** For `openai:`: which OpenAI API (default `chat`). */
  api?: 'chat' | 'responses';
  /** For OpenAI-compatible servers: wire differences over the preset's. */
  compat?: OpenAICompat;
  /** For `scripted`: the script and seed. */
  scripted?: Omit<ScriptedModelOptions, keyof ModelCommonOptions>;
}

/** The model `createModel()` picks with no spec and no `TROUPE_MODEL`, by which key is set. */
export const DEFAULT_MODELS = { openai: 'gpt-4.1-mini', anthropic: 'claude-sonnet-4-6' } as const;

/**
 * A model from a `provider:model` spec: `openai:gpt-4.1-mini`,
 * `anthropic:claude-sonnet-4-6`, `openai-compatible:<model>` (at
 * `OPENAI_BASE_URL`), `ollama:<model>`, `vllm:<model>`, `dashscope:<model>`,
 * `openrouter:<model>`, or `scripted`. Keys come from `OPENAI_API_KEY`,
 * `ANTHROPIC_API_KEY`, `DASHSCOPE_API_KEY`, `OPENROUTER_API_KEY`; base URLs
 * from `OPENAI_BASE_URL` (also `OLLAMA_BASE_URL`, `VLLM_BASE_URL`). Without a
 * spec: `TROUPE_MODEL`, else OpenAI or Anthropic when their key is set, else
 * a `ScriptedModel`. A named provider without its key throws
 * `MissingApiKeyError` naming the variable; an unknown provider or a spec without a model throws `ValidationError`.
 * @example
 * const model = createModel(); // ScriptedModel without keys; gpt-4.1-mini with OPENAI_API_KEY
 */
export function createModel(spec?: string, options: CreateModelOptions = {}): ChatModel {
  const env = options.env ?? process.env;
  const { env: _env, api, compat, scripted, ...common } = options;
  const chosen = spec ?? env.TROUPE_MODEL ?? defaultSpec(env);
  const colon = chosen.indexOf(':');
  const provider = colon < 0 ? chosen : chosen.slice(0, colon);
  const model = colon < 0 ? '' : chosen.slice(colon + 1);
  if (provider === 'scripted')
    return new ScriptedModel({ ...common, ...scripted, ...(model ? { name: model } : {}) });
  if (!model) throw badSpec(`model spec '${chosen}' names no model; write '${provider}:<model>'`);
  if (provider === 'openai') {
    const apiKey = required(env, 'OPENAI_API_KEY', chosen);
    const baseURL = env.OPENAI_BASE_URL;
    return new OpenAIModel({
      ...common,
      model,
      apiKey,
      ...(baseURL ? { baseURL, provider: 'openai' } : {}),
      ...(api ? { api } : {}),
      ...(compat ? { compat } : {}),
    });
  }
  if (provider === 'anthropic') {
    const baseURL = env.ANTHROPIC_BASE_URL;
    return new AnthropicModel({
      ...common,
      model,
      apiKey: required(env, 'ANTHROPIC_API_KEY', chosen),
      ...(baseURL ? { baseURL } : {}),
    });
  }
  if (provider === 'openai-compatible') {
    const baseURL = required(env, 'OPENAI_BASE_URL', chosen);
    const apiKey = env.OPENAI_API_KEY;
    return new OpenAIModel({
      ...common,
      model,
      baseURL,
      ...(apiKey ? { apiKey } : {}),
      ...(compat ? { compat } : {}),
    });
  }
  const preset = COMPAT_PRESETS[provider];
  if (preset) {
    const baseURL = env[`${provider.toUpperCase()}_BASE_URL`] ?? preset.baseURL;
    const apiKey = preset.apiKeyEnv ? required(env, preset.apiKeyEnv, chosen) : undefined;
    return new OpenAIModel({
      ...common,
      model,
      baseURL,
      provider,
      compat: { ...preset.compat, ...compat },
      ...(apiKey ? { apiKey } : {}),
    });
  }
  throw badSpec(
    `unknown model provider '${provider}' in '${chosen}'; use openai, anthropic, openai-compatible, ${Object.keys(COMPAT_PRESETS).join(', ')} or scripted`,
  );
}

function badSpec(message: string): ValidationError {
  return new ValidationError(message, { issues: [{ path: 'spec', message }] });
}

function defaultSpec(env: Readonly<Record<string, string | undefined>>): string {
  if (env.OPENAI_API_KEY) return `openai:${DEFAULT_MODELS.openai}`;
  if (env.ANTHROPIC_API_KEY) return `anthropic:${DEFAULT_MODELS.anthropic}`;
  return 'scripted';
}

function required(env: Readonly<Record<string, string | undefined>>, variable: string, spec: string): string {
  const value = env[variable];
  if (!value) throw new MissingApiKeyError(variable, `model '${spec}'`);
  return value;
}
