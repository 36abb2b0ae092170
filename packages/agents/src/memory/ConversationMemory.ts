import type { AgentAddress, Store } from '@troupe/core';
import { CallScope } from '../model/CallScope.js';
import type { ChatMessage } from '../model/types.js';
import { type Compactor, dropOldest } from './compaction.js';
import { estimateTokens, messageTokens, type TokenCounter } from './tokens.js';

/** Options of a {@link ConversationMemory}. */
export interface ConversationMemoryOptions {
  /** Bound of the conversation, tokens as `countTokens` counts them (default 16 000). */
  maxTokens?: number;
  /** Counts a text's tokens (default: one per four characters). */
  countTokens?: TokenCounter;
  /** Runs when the conversation grows past `maxTokens` (default {@link dropOldest}; see `summarizeWith`). */
  compact?: Compactor;
  /** Where the conversation is saved after every change, so it outlives the instance (with `key`). */
  store?: Store;
  /** The store key (see {@link memoryKey}). */
  key?: string;
}

/** The persisted form of a memory. */
export interface MemorySnapshot {
  v: 1;
  messages: ChatMessage[];
}

/** The store key of an agent instance's conversation: `memory/<type>/<key>`. */
export function memoryKey(address: Required<AgentAddress>): string {
  return `memory/${address.type}/${address.key}`;
}

/**
 * The conversation of one agent instance, bounded in tokens: past the bound
 * it is compacted (oldest turns dropped, or summarised by a model through a
 * pluggable hook). With a `store` and `key` it is saved after every change
 * and loaded with {@link ConversationMemory.load}, so a keyed agent's
 * conversation survives passivation and moves between workers.
 */
export class ConversationMemory {
  readonly maxTokens: number;
  #messages: ChatMessage[];
  readonly #options: ConversationMemoryOptions;
  readonly #count: TokenCounter;
  /** Kept up to date on every change: summing the whole conversation on each append showed in profiles. */
  #tokens: number;

  constructor(options: ConversationMemoryOptions = {}, messages: readonly ChatMessage[] = []) {
    this.#options = options;
    this.maxTokens = options.maxTokens ?? 16_000;
    this.#count = options.countTokens ?? estimateTokens;
    this.#messages = structuredClone([...messages]);
    this.#tokens = this.#sum(this.#messages);
  }

  /** A memory with the conversation saved at `options.key` in `options.store` (empty when none is). */
  static async load(
    options: ConversationMemoryOptions & { store: Store; key: string },
  ): Promise<ConversationMemory> {
    const saved = await options.store.get<MemorySnapshot>(options.key);
    return new ConversationMemory(options, saved?.v === 1 ? saved.messages : []);
  }

  /** The conversation, oldest first. */
  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  /** Its size, tokens. */
  get tokens(): number {
    return this.#tokens;
  }

  /**
   * Adds messages; compacts past the bound; saves when store-backed.
   * `signal`/`timeout` (ms) bound a compaction (which may call a model): it
   * rejects with their reason and the messages stay added, uncompacted.
   */
  async append(
    messages: ChatMessage | readonly ChatMessage[],
    options: { signal?: AbortSignal; timeout?: number } = {},
  ): Promise<void> {
    const added = Array.isArray(messages) ? messages : [messages as ChatMessage];
    const copies = structuredClone([...added]);
    this.#messages.push(...copies);
    this.#tokens += this.#sum(copies);
    if (this.#tokens > this.maxTokens) await this.#compact(options);
    await this.save();
  }

  async #compact(options: { signal?: AbortSignal; timeout?: number }): Promise<void> {
    const scope = new CallScope(options.signal, options.timeout, 'memory compaction', true);
    try {
      const count = (m: ChatMessage) => messageTokens(m, this.#count);
      const ctx = { maxTokens: this.maxTokens, count, signal: scope.signal };
      const compactor = this.#options.compact ?? dropOldest;
      const compacted = await scope.race(Promise.resolve(compactor(this.#messages, ctx)));
      // A compactor that left it too big is backed by the default, so the bound holds.
      this.#messages = this.#options.compact ? await dropOldest(compacted, ctx) : compacted;
      this.#tokens = this.#sum(this.#messages);
    } finally {
      scope.dispose();
    }
  }

  /** Forgets the conversation (and its saved copy). */
  async clear(): Promise<void> {
    this.#messages = [];
    this.#tokens = 0;
    await this.save();
  }

  #sum(messages: readonly ChatMessage[]): number {
    let n = 0;
    for (const m of messages) n += messageTokens(m, this.#count);
    return n;
  }

  /** Writes the conversation to the store (no-op without one). */
  async save(): Promise<void> {
    const { store, key } = this.#options;
    if (store && key) await store.set(key, this.toJSON());
  }

  /** The persisted form. */
  toJSON(): MemorySnapshot {
    return { v: 1, messages: this.#messages };
  }
}
