export {
  /** A Messages API error reply: `{ type: 'error', error: { type, message } }`. */
  anthropicError,
  /** SSE events of a streamed Messages answer (optionally cut mid tool-call arguments). */
  anthropicEvents,
  /** A Messages API response body. */
  anthropicMessage,
} from './anthropicWire.js';
export {
  /** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
  freePort,
} from './freePort.js';
export {
  /** A running test MCP server process on streamable HTTP. */
  type McpHttpServer,
  /** The command that starts the test MCP server on stdio. */
  mcpStdioCommand,
  /** Starts the test MCP server process on streamable HTTP. */
  startMcpHttpServer,
} from './mcpProcess.js';
export {
  /** A stand-in model API server. */
  type ModelServer,
  /** A request the stand-in received, with a promise of its connection's close. */
  type RecordedHttpRequest,
  /** One server-sent event. */
  type SseEvent,
  /** What the stand-in answers: JSON, a raw body, SSE (optionally cut), or nothing. */
  type StandInReply,
  /** Starts a stand-in model API server on 127.0.0.1 answering queued replies. */
  startModelServer,
} from './modelServer.js';
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
  /** A Chat Completions response body. */
  chatCompletion,
  /** SSE events of a streamed Chat Completions answer (optionally cut mid tool-call arguments). */
  chatCompletionChunks,
  /** An OpenAI-style error reply. */
  openaiError,
} from './openaiChatWire.js';
export {
  /** SSE events of a streamed Responses API answer (optionally cut mid tool-call arguments). */
  responsesEvents,
  /** A Responses API response object. */
  responsesResponse,
} from './openaiResponsesWire.js';
export {
  /** Pids of live processes whose command line contains a marker (Linux /proc). */
  processesWith,
} from './processes.js';
export {
  /** What a suite needing a database does (`run`/`fail`/`skip`), and the server's admin URL. */
  type DatabaseGate,
  /** Whether something accepts TCP connections at a database URL's host and port. */
  databaseAnswers,
  /** What to install and start when a test database server does not answer. */
  databaseInstallMessage,
  /** `describe` that runs with the database server, fails on CI without it, skips locally without it. */
  databaseSuite,
  /** Probes a test database server: `run`, `fail` (on CI without it) or `skip`. */
  requireDatabase,
  /** The database servers tests can ask for: `postgres`, `mariadb`. */
  type TestDatabaseKind,
  /** The admin URL of a test database server (env override, else the local default). */
  testDatabaseUrl,
} from './requireDatabase.js';
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
  /** Starts a TCP proxy in front of a local server, to partition one client on demand. */
  startTcpProxy,
  /** A running TCP proxy: `url`, `cut()`, `heal()`, `close()`. */
  type TcpProxy,
} from './tcpProxy.js';
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
export type {
  /** How to cut a stream. */
  CutOptions,
  /** A model answer to encode in a provider's wire format. */
  WireAnswer,
} from './wireAnswer.js';
