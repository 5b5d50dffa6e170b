/**
 * The `offline/designer` model: a deterministic stand-in for a designer model, so `conclave design`
 * works with no key. It reads the task and the usable models from the design prompt (the
 * `Task:` and `Models:` sections `src/design/design-prompt.ts` writes), picks a topology by what the
 * task asks for — a yes/no decision is debated, a "which is best" is a tournament, a list of items
 * is mapped and reduced, a plan goes to a manager and workers, a text to improve to a writer and its
 * critics, and so on — and writes a commented YAML document with roles and models. Given a repair
 * prompt (`Problems:`), it writes the same design again: its designs are valid by construction.
 */

/** One kind of task: how to recognise it, and the document it gets. */
interface DesignRule {
  topology: string;
  why: string;
  matches(task: string): boolean;
  write(models: ModelPicker): string;
}

/** Hands out the usable models in turn, with a persona for offline ones so voices differ. */
interface ModelPicker {
  next(persona: string): string;
}

function modelPicker(models: readonly string[]): ModelPicker {
  const usable = models.length > 0 ? models : ['offline/persona'];
  let index = 0;
  return {
    next(persona) {
      const model = usable[index % usable.length] as string;
      index += 1;
      if (model === 'offline/persona') return `offline/persona?persona=${persona}`;
      return model;
    },
  };
}

/** A YAML scalar on one line, quoted when plain YAML would misread it. */
function scalar(text: string): string {
  return JSON.stringify(text.replace(/\s+/g, ' ').trim());
}

/** The task as YAML: a literal block when it has several lines (map-reduce splits on them). */
function taskLine(task: string): string {
  if (!task.includes('\n')) return `task: ${scalar(task)}`;
  return `task: |\n${task.split('\n').map((line) => `  ${line.trimEnd()}`).join('\n')}`;
}

function agent(name: string, model: string, description?: string): string {
  const role = description === undefined ? '' : `    description: ${scalar(description)}\n    system: ${scalar(`You are the team's ${name}: ${description}. Be concrete and brief.`)}\n`;
  return `  - name: ${name}\n    model: ${model}\n${role}`;
}

const rules: readonly DesignRule[] = [
  {
    topology: 'map-reduce',
    why: 'the task is a list of items to handle one by one, then sum up',
    // Items are the task's lines: a one-line task has nothing to map.
    matches: (task) => task.split('\n').filter((line) => line.trim() !== '').length >= 3 && /\b(for each|each of|every|list|following|items?)\b/i.test(task),
    write: (models) =>
      `agents:\n${agent('mapper', models.next('analyst'), 'handles one item')}${agent('reducer', models.next('pragmatist'), 'combines the per-item answers')}options:\n  split: lines\n  concurrency: 4\n  reducer: reducer\n`,
  },
  {
    topology: 'tournament',
    why: 'the task asks for the best of several candidate answers, so candidates compete before a judge',
    matches: (task) => /\b(best|strongest|winning|rank|pick the|choose the|which (one|option) is better)\b/i.test(task),
    write: (models) =>
      `agents:\n${['optimist', 'skeptic', 'pragmatist', 'ethicist'].map((persona) => agent(persona, models.next(persona), `a candidate answer from the ${persona}'s view`)).join('')}${agent('judge', models.next('analyst'), 'compares two answers at a time')}options:\n  judge: judge\n  format: single-elimination\n`,
  },
  {
    topology: 'debate',
    why: 'the task is a decision with arguments on both sides, so debaters answer and rebut each other over rounds',
    matches: (task) => /\b(should (we|i|our|the)|debate|pros and cons|argue|whether|versus|vs\.?)\b/i.test(task),
    write: (models) =>
      `agents:\n${['optimist', 'skeptic', 'pragmatist'].map((persona) => agent(persona, models.next(persona), `argues from the ${persona}'s view`)).join('')}options:\n  rounds: 3\n  stop_on_consensus: true\n`,
  },
  {
    topology: 'hierarchical',
    why: 'the task is a plan with parts, so a manager splits it into subtasks for workers and writes the whole',
    matches: (task) => /\b(plan|roadmap|project|launch|organi[sz]e|break (it )?down|strategy)\b/i.test(task),
    write: (models) =>
      `agents:\n${agent('manager', models.next('pragmatist'), 'splits the task and writes the final plan')}${agent('researcher', models.next('analyst'), 'finds facts and comparable cases')}${agent('writer', models.next('optimist'), 'drafts the parts of the plan')}${agent('critic', models.next('skeptic'), 'looks for risks and gaps')}options:\n  manager: manager\n  max_subtasks: 4\n  concurrency: 2\n`,
  },
  {
    topology: 'reflection',
    why: 'the task is a text to get right, so a writer drafts and critics send it back until they approve',
    matches: (task) => /\b(write|draft|summar(y|ise|ize)|rewrite|improve|polish|edit|email|announcement)\b/i.test(task),
    write: (models) =>
      `agents:\n${agent('writer', models.next('pragmatist'), 'writes and revises the text')}${agent('reviewer', models.next('skeptic'), 'checks accuracy and clarity')}${agent('editor', models.next('ethicist'), 'checks tone and audience')}options:\n  generator: writer\n  critics: [reviewer, editor]\n  approval: majority\n  max_iterations: 3\n`,
  },
  {
    topology: 'voting',
    why: 'the task has one right answer, so independent voters answer and the most common answer wins',
    matches: (task) => /\b(what is|how many|calculate|compute|solve|classify|true or false|correct answer|\d+\s*[-+*/x]\s*\d+)\b/i.test(task),
    write: (models) =>
      `agents:\n${['analyst', 'pragmatist', 'skeptic', 'optimist', 'contrarian'].map((persona, index) => agent(`voter${index + 1}`, models.next(persona))).join('')}options:\n  rule: plurality\n  tie_break: first\n`,
  },
  {
    topology: 'group-chat',
    why: 'the task is a discussion, so the agents talk in turn on one shared transcript',
    matches: (task) => /\b(discuss|discussion|meeting|brainstorm|retro(spective)?|conversation)\b/i.test(task),
    write: (models) =>
      `agents:\n${['optimist', 'skeptic', 'pragmatist', 'ethicist'].map((persona) => agent(persona, models.next(persona))).join('')}options:\n  selection: round-robin\n  max_turns: 8\n  stop_on_consensus: true\n`,
  },
];

/** The fallback: several views at once, merged by a synthesizer. */
const parallelRule: DesignRule = {
  topology: 'parallel',
  why: 'the task is open, so several views answer it at once and a synthesizer merges them',
  matches: () => true,
  write: (models) =>
    `agents:\n${['analyst', 'pragmatist', 'skeptic'].map((persona) => agent(persona, models.next(persona), `answers from the ${persona}'s view`)).join('')}${agent('synthesizer', models.next('optimist'), 'merges the answers into one')}options:\n  concurrency: 3\n  synthesizer: synthesizer\n`,
};

/** The section of `prompt` after `heading:` up to the next blank line. */
function section(prompt: string, heading: string): string | undefined {
  // Up to a blank line or the end of the prompt (not of a line: a task may have several).
  const match = new RegExp(`^${heading}:[ \\t]*\\n?([\\s\\S]*?)(?:\\n[ \\t]*\\n|(?![\\s\\S]))`, 'm').exec(prompt);
  return match?.[1]?.trim();
}

/**
 * The topology the offline designer picks for a task, and why.
 *
 * @example
 * chooseDesign('Should we move to a monorepo?') // → { topology: 'debate', why: 'the task is a decision …' }
 */
export function chooseDesign(task: string): { topology: string; why: string } {
  const rule = rules.find((candidate) => candidate.matches(task)) ?? parallelRule;
  return { topology: rule.topology, why: rule.why };
}

/**
 * Writes the design for a design prompt: commented YAML.
 *
 * @example
 * writeDesign('Task:\nShould we ship on Friday?\n\nModels:\n- offline/persona\n')
 * // → '# Designed offline: debate — …\nname: …\ntopology: debate\n…'
 */
export function writeDesign(prompt: string): string {
  const task = section(prompt, 'Task') ?? prompt.trim();
  const models = (section(prompt, 'Models') ?? '')
    .split('\n')
    .map((line) => line.replace(/^\s*-\s*/, '').trim())
    .filter((line) => /^[a-z0-9-]+\/\S+$/i.test(line));
  const rule = rules.find((candidate) => candidate.matches(task)) ?? parallelRule;
  const title = task.split(/[.?!\n]/)[0]?.slice(0, 60).trim() || 'Designed team';
  return [
    `# ${rule.topology}: ${rule.why}.`,
    `name: ${scalar(title)}`,
    `topology: ${rule.topology}`,
    taskLine(task),
    rule.write(modelPicker(models)).trimEnd(),
    '',
  ].join('\n');
}
