/**
 * Child-process entry of {@link activateInChild}: `activate.ts <troupe|xstate> <count>` activates
 * that many agents and prints the figures as one JSON line.
 */
import { type Activation, activateAgents, activateXStateActors } from './activation.js';

const [population, count] = process.argv.slice(2);
const n = Number(count);
if (!Number.isInteger(n) || n < 1 || (population !== 'troupe' && population !== 'xstate')) {
  throw new Error('usage: activate.ts <troupe|xstate> <count>');
}
const result: Activation = population === 'troupe' ? await activateAgents(n) : await activateXStateActors(n);
console.log(JSON.stringify(result));
