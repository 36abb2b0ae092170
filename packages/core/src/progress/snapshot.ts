import type { RunPhase } from './events.js';
import type { ProgressLedger } from './ledger.js';
import type { TaskNode } from './taskNode.js';
import type { RunProgressStatus, SubTaskProgress, TaskProgress, TaskStatus } from './taskProgress.js';
import { STATUSES } from './taskTree.js';

const round1 = (v: number): number => Math.round(v * 10) / 10;
/** The `subtasks` of every card without children: one frozen array, not one per card. */
const NO_CARDS = Object.freeze([]) as unknown as SubTaskProgress[];

/**
 * The ledger's state as an immutable snapshot, sharing every card that did not change with the
 * previous one: the cost is the changed cards plus the child lists that hold them. The same
 * object comes back while nothing changed.
 */
export function snapshotOf(ledger: ProgressLedger): TaskProgress {
  if (!ledger.changed && ledger.head !== undefined) return ledger.head;
  const root = ledger.root;
  const top =
    root.kidCards === undefined || root.dirtyKids !== undefined || root.reshaped
      ? kidCards(root)
      : root.kidCards;
  const { counts, finished, records } = ledger;
  const total = STATUSES.reduce((sum, s) => sum + counts[s], 0);
  const ended = counts.completed + counts.failed + counts.timed_out + counts.cancelled;
  const overall = finished?.status === 'completed' ? 100 : round1(root.value);
  const end = finished?.ts ?? ledger.lastTs ?? 0;
  const elapsedTime = Math.max(0, end - (ledger.firstTs ?? end));
  const details: TaskProgress['executionDetails'] = {
    elapsedTime,
    toolCalls: records.toolCalls.snapshot(),
    tokensUsed: records.tokens,
  };
  const current = ledger.running.latest;
  if (current?.agent !== undefined) details.currentAgent = current.agent;
  if (current !== undefined) details.currentStep = current.step ?? current.name;
  if (finished !== undefined || (total > 0 && ended === total)) details.estimatedRemaining = 0;
  else if (ended > 0 && overall > 0)
    details.estimatedRemaining = Math.round((elapsedTime * (100 - overall)) / overall);
  const snap: TaskProgress = {
    taskId: ledger.rootId,
    name: ledger.name,
    status: finished?.status ?? phased(deriveStatus(counts, total, ledger.runStarted), ledger.phase),
    overallProgress: overall,
    subtasks: top,
    executionDetails: details,
    logs: records.logs.snapshot(),
    artifacts: records.artifacts.snapshot(),
  };
  if (ledger.description !== undefined) snap.description = ledger.description;
  if (ledger.firstTs !== undefined) snap.startedAt = ledger.firstTs;
  if (finished !== undefined) snap.finishedAt = finished.ts;
  ledger.head = snap;
  ledger.changed = false;
  ledger.cost = 0;
  return snap;
}

/**
 * `n`'s children's cards: the last list copied with the changed cards put in place (a copy of an
 * array of references is cheap next to building cards), or built afresh once a child left.
 */
function kidCards(n: TaskNode): SubTaskProgress[] {
  const kids = n.children;
  let cards: SubTaskProgress[];
  if (kids === undefined || kids.size === 0) cards = NO_CARDS;
  else if (n.reshaped || n.kidCards === undefined) {
    cards = new Array<SubTaskProgress>(kids.size);
    let i = 0;
    for (const kid of kids.values()) {
      kid.index = i;
      cards[i++] = kid.card ?? cardOf(kid);
    }
  } else {
    cards = n.kidCards.slice();
    for (const kid of n.dirtyKids ?? []) if (kid.parent === n) cards[kid.index] = kid.card ?? cardOf(kid);
  }
  n.kidCards = cards;
  n.dirtyKids = undefined;
  n.reshaped = false;
  return cards;
}

function cardOf(n: TaskNode): SubTaskProgress {
  const card: SubTaskProgress = {
    taskId: n.id,
    name: n.name,
    status: n.status,
    progress: 0,
    attempts: 0,
    subtasks: NO_CARDS,
  };
  if (n.declaredParent !== undefined) card.parentId = n.declaredParent;
  if (n.description !== undefined) card.description = n.description;
  if (n.agent !== undefined) card.agent = n.agent;
  if (n.dependsOn !== undefined) card.dependsOn = n.dependsOn;
  card.progress = round1(n.value);
  if (n.step !== undefined) card.step = n.step;
  card.attempts = n.attempts;
  if (n.startedAt !== undefined) card.startedAt = n.startedAt;
  if (n.finishedAt !== undefined) card.finishedAt = n.finishedAt;
  if (n.error !== undefined) card.error = n.error;
  if (n.result !== undefined) card.result = n.result;
  if (n.question !== undefined) card.question = n.question;
  if (n.tokens !== undefined) card.tokens = n.tokens;
  card.subtasks = n.dirtyKids !== undefined || n.reshaped ? kidCards(n) : (n.kidCards ?? NO_CARDS);
  n.card = card;
  return card;
}

/** The run's status from its tasks' counts (when no `run.finished` said it). */
function deriveStatus(c: Record<TaskStatus, number>, total: number, runStarted: boolean): TaskStatus {
  const open = total - c.completed - c.failed - c.timed_out - c.cancelled;
  // Without run.started the tasks are all we know; with it only run.finished ends the run.
  if (!runStarted && total > 0 && open === 0) {
    if (c.failed + c.timed_out > 0) return 'failed';
    return c.cancelled === total ? 'cancelled' : 'completed';
  }
  if (c.running + c.retrying > 0) return 'running';
  // Nothing runs and something waits for an answer: the run waits for a human.
  if (c.suspended > 0) return 'suspended';
  // Paused work and work that has not started yet (pausing leaves it pending): nothing moves.
  if (c.paused > 0) return 'paused';
  if (runStarted || open < total) return 'running';
  return c.queued > 0 ? 'queued' : 'pending';
}

/** An orchestrated run shows its phase while work goes on (not while paused or waiting for an answer). */
function phased(status: TaskStatus, phase: RunPhase | undefined): RunProgressStatus {
  if (phase === undefined) return status;
  return status === 'running' || status === 'pending' || status === 'queued' ? phase : status;
}
