import type { SubTaskProgress, TaskProgress } from '@troupe/core';
import { useState } from 'preact/hooks';
import type { Extras } from '../extras.js';
import { count, duration, TERMINAL, usd } from '../format.js';
import { groups } from '../tree.js';
import { Bar, Status } from './bits.js';

interface CardsProps {
  progress: TaskProgress;
  extras: Extras;
  now: number;
  onMessage: (taskId: string, text: string) => void;
  onAnswer: (taskId: string, answer: unknown) => void;
}

/** A card per sub-task, grouped under the task that runs them. */
export function Cards(props: CardsProps) {
  return (
    <section class="panel">
      <h2>Sub-tasks</h2>
      {groups(props.progress).map((g) => (
        <div class="group" key={g.container?.taskId ?? 'top'}>
          {g.container !== undefined && (
            <div class="group-head" data-group={g.container.taskId}>
              <strong>{g.container.name}</strong> <Status status={g.container.status} />
              <span class="muted">{g.container.step ?? g.container.description ?? ''}</span>
            </div>
          )}
          <div class="cards">
            {g.cards.map((c) => (
              <Card key={c.taskId} {...props} card={c} />
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}

function Card(props: CardsProps & { card: SubTaskProgress }) {
  const { card, extras, now } = props;
  const end = card.finishedAt ?? (TERMINAL.has(card.status) ? undefined : Math.max(now, Date.now()));
  const elapsed = card.startedAt !== undefined && end !== undefined ? end - card.startedAt : undefined;
  const model = extras.modelOf(card);
  const tokens = card.tokens === undefined ? undefined : card.tokens.input + card.tokens.output;
  return (
    <article class={`card s-${card.status}`} data-task={card.taskId} data-status={card.status}>
      <div class="row">
        <strong class="name">{card.name}</strong>
        <Status status={card.status} />
      </div>
      {card.description !== undefined && <p class="muted small clamp">{card.description}</p>}
      <Bar percent={card.progress} status={card.status} />
      <dl>
        <dt>agent</dt>
        <dd>{card.agent ?? '–'}</dd>
        <dt>model</dt>
        <dd>{model ?? '–'}</dd>
        <dt>elapsed</dt>
        <dd>{duration(elapsed)}</dd>
        <dt>tokens</dt>
        <dd>{count(tokens)}</dd>
        <dt>cost</dt>
        <dd>{usd(extras.costOf(card))}</dd>
        {card.attempts > 1 && (
          <>
            <dt>attempts</dt>
            <dd>{card.attempts}</dd>
          </>
        )}
      </dl>
      {card.step !== undefined && !TERMINAL.has(card.status) && <p class="step small">{card.step}</p>}
      {card.error !== undefined && (
        <p class="error small">
          {card.error.code}: {card.error.message}
        </p>
      )}
      {card.status === 'suspended' && card.question !== undefined && (
        <AnswerBox question={card.question.text} onAnswer={(a) => props.onAnswer(card.taskId, a)} />
      )}
      {(card.status === 'running' || card.status === 'paused') && (
        <MessageBox onSend={(text) => props.onMessage(card.taskId, text)} />
      )}
    </article>
  );
}

/** Sends text to the runner session behind a running sub-task (steer). */
function MessageBox(props: { onSend: (text: string) => void }) {
  const [text, setText] = useState('');
  return (
    <form
      class="inline"
      data-form="message"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim() === '') return;
        props.onSend(text);
        setText('');
      }}
    >
      <input
        name="message"
        placeholder="Message to its session…"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit">Send</button>
    </form>
  );
}

/** Answers a suspended sub-task's question: JSON when it parses, else the text as a string. */
function AnswerBox(props: { question: string; onAnswer: (answer: unknown) => void }) {
  const [text, setText] = useState('');
  return (
    <form
      class="inline question"
      data-form="answer"
      onSubmit={(e) => {
        e.preventDefault();
        let answer: unknown = text;
        try {
          answer = JSON.parse(text);
        } catch {
          // plain text is an answer too
        }
        props.onAnswer(answer);
      }}
    >
      <p class="small">
        <strong>asks:</strong> {props.question}
      </p>
      <input
        name="answer"
        placeholder="Answer (JSON or text)"
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit">Answer</button>
    </form>
  );
}
