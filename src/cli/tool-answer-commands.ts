/**
 * The commands that answer a tool call waiting in a session (`requires_action`): `approve` and
 * `deny` for a tool with `approval: always_ask`, `tool-result` for a client-run (`type: custom`)
 * tool. Registered on the `conclave` program; each implementation loads when its command runs.
 */
import type { Command } from 'commander';
import type { CommandAction } from './cli-action.js';
import type * as ToolAnswerCommands from './commands/tool-answers.js';

const toolAnswers = (): Promise<typeof ToolAnswerCommands> => import('./commands/tool-answers.js');

/**
 * Adds `approve`, `deny` and `tool-result` to `program`.
 *
 * @example
 * registerToolAnswerCommands(program, createAction(() => program.opts<GlobalOptions>()));
 */
export function registerToolAnswerCommands(program: Command, action: CommandAction): void {
  const answerHelp = (example: string): string => `
  The answer is journaled. While other calls still wait, the session stays idle (requires_action)
  and the output lists them; the last answer continues the turn here with live progress (like
  \`conclave send\`), unless --no-wait or another process runs the session. Ids come from
  \`conclave run\` / \`conclave sessions show ID\` (the agent.tool_use event id). Exit codes as for run;
  0 when calls still wait.

  Examples:
  ${example}`;

  program
    .command('approve')
    .description('allow a tool call that waits for approval; the tool runs when the turn goes on')
    .argument('<session-id>', 'session id')
    .argument('<tool-use-id>', 'the waiting call (its agent.tool_use event id)')
    .option('--json', 'print JSON: the run result, or { sessionId, event, remaining } when calls still wait')
    .option('-q, --quiet', 'print only the final answer')
    .option('--no-wait', 'only journal the answer; do not run the turn here')
    .addHelpText('after', answerHelp('  $ conclave approve sesn_01J… evt_01J…\n  $ conclave approve sesn_01J… evt_01J… --no-wait --json'))
    .action(
      action(async (context, sessionId: string, toolUseId: string, options: { json?: boolean; quiet?: boolean; wait?: boolean }) =>
        (await toolAnswers()).confirmCommand(context, sessionId, toolUseId, { allow: true }, options),
      ),
    );

  program
    .command('deny')
    .description('deny a tool call that waits for approval; the model is told, with your message')
    .argument('<session-id>', 'session id')
    .argument('<tool-use-id>', 'the waiting call (its agent.tool_use event id)')
    .option('-m, --message <text>', 'what the model is told (default: "the user denied this tool call")')
    .option('--json', 'print JSON: the run result, or { sessionId, event, remaining } when calls still wait')
    .option('-q, --quiet', 'print only the final answer')
    .option('--no-wait', 'only journal the answer; do not run the turn here')
    .addHelpText('after', answerHelp('  $ conclave deny sesn_01J… evt_01J… --message "not on the production database"'))
    .action(
      action(async (context, sessionId: string, toolUseId: string, options: { message?: string; json?: boolean; quiet?: boolean; wait?: boolean }) =>
        (await toolAnswers()).confirmCommand(context, sessionId, toolUseId, { allow: false, ...(options.message !== undefined ? { message: options.message } : {}) }, options),
      ),
    );

  program
    .command('tool-result')
    .description('give the result of a client-run tool call (a `type: custom` tool)')
    .argument('<session-id>', 'session id')
    .argument('<tool-use-id>', 'the waiting call (its agent.custom_tool_use event id)')
    .option('-c, --content <text>', 'the result, as text')
    .option('-f, --file <file>', 'read the result from a file')
    .option('--error', 'the tool failed: the model sees the result as an error')
    .option('--json', 'print JSON: the run result, or { sessionId, event, remaining } when calls still wait')
    .option('-q, --quiet', 'print only the final answer')
    .option('--no-wait', 'only journal the answer; do not run the turn here')
    .addHelpText('after', answerHelp('  $ conclave tool-result sesn_01J… evt_01J… --content "order 42 shipped on Monday"\n  $ conclave tool-result sesn_01J… evt_01J… --file lookup.json\n  $ conclave tool-result sesn_01J… evt_01J… --content "service unavailable" --error'))
    .action(
      action(async (context, sessionId: string, toolUseId: string, options: { content?: string; file?: string; error?: boolean; json?: boolean; quiet?: boolean; wait?: boolean }) =>
        (await toolAnswers()).toolResultCommand(context, sessionId, toolUseId, options),
      ),
    );
}
