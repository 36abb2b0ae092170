/**
 * The progress reducer from @troupe/core, imported from its own module (an alias in
 * vite.config.ts and tsconfig.json) rather than the package's barrel: the barrel pulls in the
 * runtime, stores and Node built-ins, ten times the size of the whole board.
 */
export { initialProgress, reduceProgress } from '@troupe/core/progress';
