import type { DeliveryOptions } from '../transport/Transport.js';
import type { AgentHost } from './AgentHost.js';

/**
 * Resolves once no host has work: in-flight handlers may queue more while a runtime closes (their
 * asks and tells are accepted until the drain ends), so it waits again until a pass finds every
 * host idle.
 */
export async function drain(hosts: readonly AgentHost[]): Promise<void> {
  do await Promise.all(hosts.map((h) => h.whenIdle()));
  while (hosts.some((h) => h.busy));
}

/** Delivery options of a tell handed straight to a local host (nobody waits on it). */
export const TELL: DeliveryOptions = { signal: new AbortController().signal, expectsReply: false };

/** Ignores a settled tell's outcome. */
export function noop(): void {}
