/**
 * What differs between OpenAI and the servers that speak its Chat Completions
 * wire format (Ollama, vLLM, DashScope/Qwen, OpenRouter, …).
 */
export interface OpenAICompat {
  /**
   * How structured output is asked for: `json_schema` (`response_format`
   * with the schema; OpenAI, vLLM, Ollama ≥ 0.5, OpenRouter for models that
   * support it), `json_object` (JSON mode plus the schema in a system
   * message; DashScope), or `prompt` (the schema in a system message only).
   * Every mode validates the answer with the zod schema.
   */
  structuredOutput?: 'json_schema' | 'json_object' | 'prompt';
  /** Field for the output token limit: OpenAI's `max_completion_tokens` (reasoning models need it) or the older `max_tokens`. */
  maxTokensField?: 'max_completion_tokens' | 'max_tokens';
  /** Ask for a final usage chunk when streaming (`stream_options.include_usage`; default true). */
  streamUsage?: boolean;
  /** Send `parallel_tool_calls: true` with tools (default: only to OpenAI itself). */
  parallelToolCalls?: boolean;
}

/** OpenAI's own settings. */
export const OPENAI_COMPAT: Required<OpenAICompat> = {
  structuredOutput: 'json_schema',
  maxTokensField: 'max_completion_tokens',
  streamUsage: true,
  parallelToolCalls: true,
};

/** Settings for an unknown OpenAI-compatible server: the most widely understood fields. */
export const GENERIC_COMPAT: Required<OpenAICompat> = {
  structuredOutput: 'json_schema',
  maxTokensField: 'max_tokens',
  streamUsage: true,
  parallelToolCalls: false,
};

/** A known OpenAI-compatible server: where it listens, which variable holds its key, and its quirks. */
export interface CompatPreset {
  baseURL: string;
  /** Environment variable with the API key; undefined when the server needs none. */
  apiKeyEnv: string | undefined;
  compat: Required<OpenAICompat>;
}

/** Known servers by `createModel` prefix (`ollama:llama3.2`, `vllm:…`, `dashscope:qwen-plus`, `openrouter:…`). */
export const COMPAT_PRESETS: Readonly<Record<string, CompatPreset>> = {
  ollama: { baseURL: 'http://localhost:11434/v1', apiKeyEnv: undefined, compat: GENERIC_COMPAT },
  vllm: { baseURL: 'http://localhost:8000/v1', apiKeyEnv: undefined, compat: GENERIC_COMPAT },
  dashscope: {
    baseURL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
    apiKeyEnv: 'DASHSCOPE_API_KEY',
    compat: { ...GENERIC_COMPAT, structuredOutput: 'json_object' },
  },
  openrouter: {
    baseURL: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    compat: { ...GENERIC_COMPAT, parallelToolCalls: true },
  },
};
