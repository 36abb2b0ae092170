/**
 * What a NATS user confined to one namespace needs: its subjects, its
 * JetStream streams and buckets, and a reply inbox of its own. Namespaces
 * are naming, not a boundary; these permissions (or a NATS account per
 * tenant) make them one.
 */
import { deadLetterStreamName, resultsBucketName, tasksStreamName } from './durable/names.js';
import { ownersBucketName, progressStreamName } from './subjects.js';

/** Options of {@link namespacePermissions}. */
export interface NamespacePermissionsOptions {
  /** More KV buckets the tenant uses (e.g. a `NatsKvStore`'s), each with its `<bucket>_large` object store. */
  buckets?: readonly string[];
}

/** A nats-server `permissions` block plus the inbox prefix the tenant's connections must use. */
export interface NamespacePermissions {
  /** Give it to every connection of the tenant: nats.js `ConnectionOptions.inboxPrefix`. */
  inboxPrefix: string;
  /** As in a nats-server user's `permissions` (JSON is valid nats-server config syntax). */
  permissions: {
    publish: { allow: string[] };
    subscribe: { allow: string[] };
  };
}

/**
 * The permissions that confine a NATS user to namespace `ns`: its own `troupe.<ns>.>` subjects
 * (agents, instances, workers, control, progress, tasks, and its reply inbox
 * `troupe.<ns>.inbox`), and the JetStream API of its own streams and buckets only. Such a user
 * cannot reach another namespace's agents, read its progress, results or owners, nor cancel its
 * runs. `$JS.API.INFO` (account totals) stays readable: use an account per tenant to hide even that.
 * @example
 * const { inboxPrefix, permissions } = namespacePermissions('blue');
 * // server config: users: [{ user: "blue", password: "…", permissions: <JSON.stringify(permissions)> }]
 * await connectNats({ connection: { servers, user: 'blue', pass: '…', inboxPrefix } });
 */
export function namespacePermissions(
  ns: string,
  options: NamespacePermissionsOptions = {},
): NamespacePermissions {
  const buckets = [ownersBucketName(ns), resultsBucketName(ns), ...(options.buckets ?? [])];
  const objects = buckets.map((b) => `${b}_large`);
  const streams = [
    progressStreamName(ns),
    tasksStreamName(ns),
    deadLetterStreamName(ns),
    ...buckets.map((b) => `KV_${b}`),
    ...objects.map((o) => `OBJ_${o}`),
  ];
  const publish = [
    `troupe.${ns}.>`,
    '$JS.API.INFO',
    ...streams.flatMap(streamApi),
    ...buckets.map((b) => `$KV.${b}.>`),
    ...objects.map((o) => `$O.${o}.>`),
  ];
  return {
    inboxPrefix: `troupe.${ns}.inbox`,
    permissions: { publish: { allow: publish }, subscribe: { allow: [`troupe.${ns}.>`] } },
  };
}

/** The JetStream API subjects for one stream (and its consumers, acks and flow control). */
function streamApi(s: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${s}`,
    `$JS.API.STREAM.CREATE.${s}`,
    `$JS.API.STREAM.UPDATE.${s}`,
    `$JS.API.STREAM.PURGE.${s}`,
    `$JS.API.STREAM.MSG.GET.${s}`,
    `$JS.API.STREAM.MSG.DELETE.${s}`,
    `$JS.API.DIRECT.GET.${s}`,
    `$JS.API.DIRECT.GET.${s}.>`,
    `$JS.API.CONSUMER.CREATE.${s}`,
    `$JS.API.CONSUMER.CREATE.${s}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${s}.>`,
    `$JS.API.CONSUMER.INFO.${s}.>`,
    `$JS.API.CONSUMER.DELETE.${s}.>`,
    `$JS.API.CONSUMER.NAMES.${s}`,
    `$JS.API.CONSUMER.LIST.${s}`,
    `$JS.API.CONSUMER.MSG.NEXT.${s}.>`,
    `$JS.ACK.${s}.>`,
    `$JS.FC.${s}.>`,
  ];
}
