export {
  /** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
  freePort,
} from './freePort.js';
export {
  /** Resolves the nats-server executable (option, `NATS_SERVER_BIN`, PATH, /usr/sbin) or undefined. */
  findNatsServer,
  /** The error message telling how to install nats-server. */
  NATS_INSTALL_MESSAGE,
} from './natsBin.js';
export type {
  /** Accounts of a test server, each with its users. */
  NatsAccounts,
  /** Client authentication a test server demands: a token, a user/password pair, or several users. */
  NatsAuth,
  /** Subject permissions of a test server's user. */
  NatsPermissions,
  /** TLS certificate, key and optional CA file paths for a test server. */
  NatsTls,
  /** A user of a test server, optionally limited to some subjects. */
  NatsUser,
} from './natsConfig.js';
export {
  /** Handle to a running test nats-server: url, port, stop/restart/kill/close, `await using`. */
  type NatsServer,
  /** Options for {@link startNatsServer}. */
  type NatsServerOptions,
  /** Starts a private nats-server on 127.0.0.1 in a fresh temp dir and waits until it is ready. */
  startNatsServer,
} from './natsServer.js';
export {
  /** Alias of {@link natsSuite}. */
  describeNats,
  /** True when a nats-server executable can be found. */
  natsAvailable,
  /** What a suite needing nats-server does: `run`, `fail` (on CI without it) or `skip`. */
  natsGate,
  /** `describe` that runs with nats-server, fails on CI without it, and skips locally without it. */
  natsSuite,
  /** Whether `CI` is set (to anything but empty, `0` or `false`). */
  onCi,
} from './requireNats.js';
export {
  /** Starts a TCP proxy in front of a local server, to partition one client on demand. */
  startTcpProxy,
  /** A running TCP proxy: `url`, `cut()`, `heal()`, `close()`. */
  type TcpProxy,
} from './tcpProxy.js';
