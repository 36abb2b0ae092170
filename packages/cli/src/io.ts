import type { OutputStreams } from './view/RunOutput.js';

/** Where a command reads and writes: streams, working directory, environment. */
export interface CliIo extends OutputStreams {
  cwd: string;
  env: NodeJS.ProcessEnv;
}
