import type { SubTaskProgress, TaskProgress } from '@troupe/core';
import { rows } from '../tree.js';

const W = 150;
const H = 36;
const GAP_X = 40;
const GAP_Y = 14;

interface GraphNode {
  id: string;
  label: string;
  status: string;
  deps: string[];
}

/** The graph to draw: the tasks linked by `dependsOn` (a DAG, an orchestrated plan), else the task tree. */
function graphOf(progress: TaskProgress): { nodes: GraphNode[]; dag: boolean } {
  const cards = rows(progress).map((r) => r.card);
  const node = (c: SubTaskProgress, deps: string[]): GraphNode => ({
    id: c.taskId,
    label: c.name,
    status: c.status,
    deps,
  });
  const linked = new Set<string>();
  for (const c of cards) {
    if (c.dependsOn === undefined || c.dependsOn.length === 0) continue;
    linked.add(c.taskId);
    for (const d of c.dependsOn) linked.add(d);
  }
  if (linked.size > 0) {
    return {
      dag: true,
      nodes: cards.filter((c) => linked.has(c.taskId)).map((c) => node(c, c.dependsOn ?? [])),
    };
  }
  const root: GraphNode = { id: progress.taskId, label: progress.name, status: progress.status, deps: [] };
  return { dag: false, nodes: [root, ...cards.map((c) => node(c, [c.parentId ?? root.id]))] };
}

/** Columns of a layered layout: a node sits one layer right of its last dependency. */
function layers(nodes: GraphNode[]): GraphNode[][] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const layer = new Map<string, number>();
  const layerOf = (n: GraphNode, seen: Set<string>): number => {
    const known = layer.get(n.id);
    if (known !== undefined) return known;
    if (seen.has(n.id)) return 0; // a cycle: plans are validated, so only defensive
    seen.add(n.id);
    let l = 0;
    for (const d of n.deps) {
      const dep = byId.get(d);
      if (dep !== undefined) l = Math.max(l, layerOf(dep, seen) + 1);
    }
    layer.set(n.id, l);
    return l;
  };
  const columns: GraphNode[][] = [];
  for (const n of nodes) {
    const l = layerOf(n, new Set());
    const col = columns[l] ?? [];
    col.push(n);
    columns[l] = col;
  }
  return columns;
}

/** The plan as a graph in layers by dependency; without dependencies, the task tree. */
export function PlanGraph(props: { progress: TaskProgress }) {
  const { nodes, dag } = graphOf(props.progress);
  const columns = layers(nodes);
  const pos = new Map<string, { x: number; y: number }>();
  columns.forEach((col, l) => {
    for (const [i, n] of col.entries()) pos.set(n.id, { x: 8 + l * (W + GAP_X), y: 8 + i * (H + GAP_Y) });
  });
  const width = 16 + columns.length * (W + GAP_X) - GAP_X;
  const height = 16 + Math.max(1, ...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  return (
    <section class="panel">
      <h2>Plan{dag ? '' : ' (task tree)'}</h2>
      <div class="graph-box">
        <svg
          class="graph"
          width={width}
          height={height}
          data-testid="plan-graph"
          data-kind={dag ? 'dag' : 'tree'}
          role="img"
          aria-label="plan graph"
        >
          {nodes.flatMap((n) =>
            n.deps.map((d) => {
              const a = pos.get(d);
              const b = pos.get(n.id);
              if (a === undefined || b === undefined) return null;
              const x1 = a.x + W;
              const y1 = a.y + H / 2;
              const x2 = b.x;
              const y2 = b.y + H / 2;
              const mx = (x1 + x2) / 2;
              return <path class="edge" d={`M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`} />;
            }),
          )}
          {nodes.map((n) => {
            const p = pos.get(n.id);
            if (p === undefined) return null;
            return (
              <g class={`node s-${n.status}`} transform={`translate(${p.x},${p.y})`} data-node={n.label}>
                <rect width={W} height={H} rx={6} />
                <text x={8} y={15}>
                  {n.label.length > 20 ? `${n.label.slice(0, 19)}…` : n.label}
                </text>
                <text x={8} y={29} class="sub">
                  {n.status.replace('_', ' ')}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}
