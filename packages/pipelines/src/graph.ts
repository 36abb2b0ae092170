import { CycleError, ValidationError } from '@troupe/core';

/** A validated dependency graph over node indexes. */
export interface Graph {
  readonly names: readonly string[];
  /** Dependencies of each node, as indexes. */
  readonly deps: readonly (readonly number[])[];
  /** Nodes that depend on each node, as indexes. */
  readonly dependents: readonly (readonly number[])[];
}

/**
 * Checks a dependency graph before anything runs: every dependency must name
 * a node (`ValidationError`), and there must be no cycle (`CycleError`, naming it).
 */
export function buildGraph(what: string, depsByName: ReadonlyMap<string, readonly string[]>): Graph {
  const names = [...depsByName.keys()];
  const index = new Map(names.map((name, i) => [name, i]));
  const deps = names.map((name) => {
    const list = depsByName.get(name) ?? [];
    return list.map((dep) => {
      const i = index.get(dep);
      if (i === undefined) {
        throw new ValidationError(`${what}: node '${name}' depends on '${dep}', which is not a node`, {
          issues: [{ path: `${name}.deps`, message: `unknown node '${dep}'` }],
        });
      }
      return i;
    });
  });
  const dependents: number[][] = names.map(() => []);
  deps.forEach((list, i) => {
    for (const d of new Set(list)) dependents[d]?.push(i);
  });
  const cycle = findCycle(deps);
  if (cycle) {
    const path = cycle.map((i) => names[i] as string);
    throw new CycleError(`${what}: dependency cycle ${path.join(' → ')}`, { data: { cycle: path } });
  }
  return { names, deps, dependents };
}

/** A cycle as a closed path of indexes (first = last), or undefined. Iterative DFS. */
function findCycle(deps: readonly (readonly number[])[]): number[] | undefined {
  const state = new Uint8Array(deps.length); // 0 new, 1 on the stack, 2 done
  for (let root = 0; root < deps.length; root++) {
    if (state[root] !== 0) continue;
    const stack: Array<[node: number, next: number]> = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const [node, next] = top;
      const list = deps[node] ?? [];
      if (next >= list.length) {
        state[node] = 2;
        stack.pop();
        continue;
      }
      top[1] = next + 1;
      const dep = list[next] as number;
      if (state[dep] === 1) {
        const from = stack.findIndex(([n]) => n === dep);
        return [...stack.slice(from).map(([n]) => n), dep];
      }
      if (state[dep] === 0) {
        state[dep] = 1;
        stack.push([dep, 0]);
      }
    }
  }
  return undefined;
}
