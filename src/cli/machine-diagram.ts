/**
 * Mermaid state diagrams drawn from a topology's XState machine itself, so the documentation can
 * never disagree with the code: every state, every event transition, every `always` branch (with
 * its guard) and every invoke's done transition.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

interface Edge {
  from: string;
  to: string;
  label: string;
}

function shortName(node: AnyStateNode): string {
  return node.path.join('_') || node.id;
}

function eventLabel(eventType: string): string {
  if (eventType.startsWith('xstate.done.actor')) return 'replies';
  if (eventType.startsWith('xstate.error.actor')) return 'failed';
  return eventType;
}

function guardLabel(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'guard';
}

/**
 * A `stateDiagram-v2` for a machine.
 *
 * @example
 * machineDiagram(debateTopology.machine)
 * // stateDiagram-v2
 * //   [*] --> debating
 * //   debating --> deciding: replies
 * //   …
 */
export function machineDiagram(machine: AnyStateMachine): string {
  const edges: Edge[] = [];
  const finals: string[] = [];
  const walk = (node: AnyStateNode): void => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      const from = shortName(child);
      if (child.type === 'final') finals.push(from);
      for (const [eventType, transitions] of child.transitions) {
        for (const transition of transitions) {
          for (const target of transition.target ?? []) {
            const guard = guardLabel(transition.guard);
            edges.push({ from, to: shortName(target), label: guard === '' ? eventLabel(eventType) : `${eventLabel(eventType)} [${guard}]` });
          }
        }
      }
      for (const transition of child.always ?? []) {
        for (const target of transition.target ?? []) edges.push({ from, to: shortName(target), label: guardLabel(transition.guard) || 'otherwise' });
      }
      walk(child);
    }
  };
  walk(machine.root);
  const initial = machine.root.initial?.target?.[0];
  const lines = ['stateDiagram-v2'];
  if (initial !== undefined) lines.push(`  [*] --> ${shortName(initial)}`);
  for (const edge of edges) lines.push(`  ${edge.from} --> ${edge.to}: ${edge.label}`);
  for (const final of finals) lines.push(`  ${final} --> [*]`);
  return lines.join('\n');
}
