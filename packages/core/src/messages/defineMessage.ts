import type { z } from 'zod';
import { ValidationError } from '../errors/errors.js';
import { validationErrorFromZod } from '../errors/zodIssues.js';
import { isValidName } from './address.js';
import { deepFreeze } from './copy.js';
import { type Envelope, EnvelopeSchema, type Message, vouchFor } from './envelope.js';

/** A message type made by {@link defineMessage}. */
export interface MessageDef<Type extends string = string, S extends z.ZodType = z.ZodType> {
  /** The dotted message type. */
  readonly type: Type;
  /** The payload schema. */
  readonly schema: S;
  /** Whether payloads of this type are declared immutable: frozen, and shared rather than copied in process. */
  readonly immutable: boolean;
  /** A message of this type; the payload is validated (throws {@link ValidationError}). */
  create(payload: z.input<S>): Message<Type, z.output<S>>;
  /** Validates an unknown envelope of this type, payload included. */
  parse(value: unknown): Envelope<z.output<S>, Type>;
  /** Validates a payload alone, returning the parsed value or throwing {@link ValidationError}. */
  parsePayload(value: unknown): z.output<S>;
  /** Whether an envelope or message is of this type (type check only). */
  is(value: { type: string } | null | undefined): value is Envelope<z.output<S>, Type>;
}

/** Options of {@link defineMessage}. */
export interface MessageOptions {
  /**
   * Declares payloads of this type immutable: `create` deep-freezes the payload (so a change
   * throws in strict code, in process and, since the receiving host freezes what it parses, over
   * NATS too), and the in-process transport hands it over as it is instead of copying it. For
   * large read-only payloads, where the copy shows (default false). A reply is declared immutable
   * by returning it through `deepFreeze`.
   */
  immutable?: boolean;
}

/** The payload type of a message definition. */
export type PayloadOf<M> = M extends MessageDef<string, infer S> ? z.output<S> : never;

/**
 * Defines a message type with a zod schema for its payload.
 * @example
 * const Ping = defineMessage('echo.ping', z.object({ text: z.string() }));
 * await ref.ask(Ping.create({ text: 'hi' }));
 */
export function defineMessage<const Type extends string, S extends z.ZodType>(
  type: Type,
  schema: S,
  options: MessageOptions = {},
): MessageDef<Type, S> {
  if (!isValidName(type)) {
    throw new ValidationError(`invalid message type '${type}': use dotted words of [A-Za-z0-9_-]`, {
      issues: [{ path: 'type', message: 'invalid message type' }],
    });
  }
  const parsePayload = (value: unknown): z.output<S> => {
    const result = schema.safeParse(value);
    if (!result.success) throw validationErrorFromZod(result.error, 'payload', `'${type}' payload`);
    return result.data;
  };
  const immutable = options.immutable === true;
  return {
    type,
    schema,
    immutable,
    create(payload) {
      const parsed = immutable ? deepFreeze(parsePayload(payload)) : parsePayload(payload);
      const message = { type, payload: parsed };
      vouchFor(message, schema, parsed, immutable);
      return message;
    },
    parsePayload,
    parse(value) {
      const env = EnvelopeSchema.safeParse(value);
      if (!env.success) throw validationErrorFromZod(env.error, '', 'envelope');
      if (env.data.type !== type) {
        throw new ValidationError(`expected message type '${type}', got '${env.data.type}'`, {
          issues: [{ path: 'type', message: `expected '${type}'` }],
        });
      }
      return { ...env.data, payload: parsePayload(env.data.payload) } as Envelope<z.output<S>, Type>;
    },
    is: (value): value is Envelope<z.output<S>, Type> => value?.type === type,
  };
}
