/** An instance's lifecycle: activating → active ⇄ restarting; failed and stopped are final. */
export type InstanceStatus = 'activating' | 'active' | 'restarting' | 'failed' | 'stopped';

/**
 * What deliveries, handler contexts and the runtime see of an instance (`Instance` implements
 * it). A plain interface, so those files need not import the class that imports them.
 */
export interface InstanceView {
  readonly key: string;
  readonly address: { type: string; key: string };
  readonly status: InstanceStatus;
  /** `type/key`, as progress events name the agent. */
  readonly label: string;
  /** How ask chains name this instance. */
  readonly chainId: string;
  /** The current state (handler agents) or machine context (machine agents). */
  readonly state: unknown;
  /** Commits a new state (handler agents). */
  setState(state: unknown): void;
}
