/**
 * A session is a conversation: each user message starts a turn (the topology runs once), and a
 * message sent while a turn runs is steering, handed to the model calls of the topology's next
 * step. This module turns the journal's turns and deliveries into what those calls see: earlier
 * turns as history before the call's own messages, and steering appended to its last user message.
 * Deliveries are journaled (`steering.delivered`) so a replay hands each call the same messages.
 */
import type { Message } from '../protocol/index.js';
import type { Journal, TurnRecord } from './journal.js';
import type { SessionWriter } from './session-writer.js';

/** What the topology runner asks of the current turn. */
export interface Conversation {
  /** Earlier turns, oldest first: the user's task, then the topology's answer. */
  readonly history: readonly Message[];
  /**
   * Hands every pending user message to the model commands of one step (those not already
   * completed), journaling the delivery. Does nothing when nothing is pending or every command of
   * the step already finished (the messages then wait for the next step or turn). The ids are
   * asked for only when something is pending, so a step without steering costs nothing.
   */
  deliver(commandIds: () => readonly string[]): void;
  /** The call's messages with history before them and its steering after them. */
  messagesFor(commandId: string, messages: readonly Message[]): Message[];
}

/** Heading of steering text inside a call's last user message. */
export const steeringHeading = 'Message from the user while you were working:';

/**
 * The conversation of one turn over a session's journal and writer.
 *
 * @example
 * const conversation = createConversation(journal, writer, 2);
 * conversation.deliver(() => ['turn:2/debate/round:2/agent:0/generate:0']);
 */
export function createConversation(journal: Journal, writer: SessionWriter, turn: number): Conversation {
  const history: Message[] = [];
  for (const earlier of earlierTurns(journal, turn)) history.push({ role: 'user', content: earlier.task }, { role: 'assistant', content: earlier.completed.answer });
  return {
    history,
    deliver(commandIds) {
      const pending = journal.pendingMessages();
      if (pending.length === 0) return;
      const open = commandIds().filter((commandId) => !journal.completed.has(commandId) && !journal.deliveries.has(commandId));
      if (open.length === 0) return;
      const messageSeqs = pending.map((message) => message.seq);
      // Marked at once, so a step starting before the delivery is stored cannot take them again.
      for (const seq of messageSeqs) journal.consumed.add(seq);
      const texts = pending.map((message) => message.text);
      for (const commandId of open) journal.deliveries.set(commandId, texts);
      writer.enqueue([{ type: 'steering.delivered', data: { messageSeqs, commandIds: open } }]).stored.catch(() => undefined);
    },
    messagesFor(commandId, messages) {
      const steering = journal.deliveries.get(commandId);
      if (history.length === 0 && steering === undefined) return messages as Message[];
      return [...history, ...withSteering(messages, steering)];
    },
  };
}

/** The finished turns before `turn`, whose task and answer are its history. */
function earlierTurns(journal: Journal, turn: number): Array<TurnRecord & { completed: NonNullable<TurnRecord['completed']> }> {
  return journal.completedTurns.filter((earlier): earlier is TurnRecord & { completed: NonNullable<TurnRecord['completed']> } => earlier.turn < turn && earlier.completed !== undefined);
}

/**
 * How many messages of history come before the calls of `turn` (two per finished earlier turn):
 * the index of the turn's own first message.
 *
 * @example
 * historyLength(journal, 3) // → 4 after two finished turns
 */
export function historyLength(journal: Journal, turn: number): number {
  return earlierTurns(journal, turn).length * 2;
}

function withSteering(messages: readonly Message[], steering: readonly string[] | undefined): Message[] {
  if (steering === undefined || steering.length === 0) return [...messages];
  const note = `${steeringHeading}\n${steering.join('\n\n')}`;
  const last = messages[messages.length - 1];
  if (last?.role === 'user') return [...messages.slice(0, -1), { role: 'user', content: `${last.content}\n\n---\n${note}` }];
  return [...messages, { role: 'user', content: note }];
}
