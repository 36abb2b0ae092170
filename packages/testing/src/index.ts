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
  /** Client authentication a test server demands: a token or a user/password pair. */
  NatsAuth,
  /** TLS certificate, key and optional CA file paths for a test server. */
  NatsTls,
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
  /** Pids of live processes whose command line contains a marker (Linux /proc). */
  processesWith,
} from './processes.js';
export {
  /** Alias of {@link natsSuite}. */
  describeNats,
  /** True when a nats-server executable can be found. */
  natsAvailable,
  /** `describe` that runs with nats-server, fails on CI without it, and skips locally without it. */
  natsSuite,
} from './requireNats.js';
export {
  /** The coding CLIs that have a stand-in: `claude`, `qwen`, `gemini`, `codex`. */
  type StandInCli,
  /** Path of a stand-in coding CLI script. */
  standInCli,
  /** `[node, path]` that runs a stand-in coding CLI. */
  standInCommand,
} from './standInClis.js';
export {
  /** A running stand-in HTTP sessions gateway. */
  type StandInGateway,
  /** Options of {@link startStandInGateway}. */
  type StandInGatewayOptions,
  /** A session on the stand-in HTTP gateway. */
  type StandInGatewaySession,
  /** Starts a stand-in HTTP sessions gateway (spawn/list/cancel, bearer token) on a free port. */
  startStandInGateway,
} from './standInGateway.js';
export {
  /** A running stand-in OpenClaw WebSocket gateway. */
  type StandInOpenClaw,
  /** Options of {@link startStandInOpenClaw}. */
  type StandInOpenClawOptions,
  /** A run on the stand-in OpenClaw gateway. */
  type StandInOpenClawRun,
  /** Starts a stand-in OpenClaw gateway (challenge, connect, sessions.*, agent.wait) on a free port. */
  startStandInOpenClaw,
} from './standInOpenClaw.js';
export {
  /** Kills the tmux server on a socket. */
  killTmuxServer,
  /** The error message telling how to install tmux. */
  TMUX_INSTALL_MESSAGE,
  /** True when tmux runs. */
  tmuxAvailable,
  /** Names of the sessions on a tmux socket. */
  tmuxSessions,
  /** A per-test-file tmux socket name. */
  tmuxSocket,
  /** `describe` that runs with tmux, fails on CI without it, skips locally without it. */
  tmuxSuite,
} from './tmux.js';
