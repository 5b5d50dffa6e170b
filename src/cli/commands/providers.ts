/**
 * `conclave providers` lists every provider with its key variable (and whether it is set — never
 * its value) and default models; `conclave providers ping MODEL` makes one tiny call and prints the
 * latency, so a user can check a key or a base URL before starting a long debate.
 */
import { ConclaveError, parseModelRef, toConclaveError, type ProviderModule } from '../../protocol/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { formatDuration, stylerFor } from '../terminal.js';

function keyState(module: ProviderModule, env: NodeJS.ProcessEnv): { variable: string; set: boolean | null; missing: string | undefined } {
  const missing = module.missingCredentials?.(env) ?? (module.keyVariable !== undefined && (env[module.keyVariable] ?? '') === '' ? `set ${module.keyVariable}` : undefined);
  if (module.keyVariable === undefined && module.missingCredentials === undefined) return { variable: '—', set: null, missing: undefined };
  return { variable: module.keyVariable ?? '—', set: missing === undefined, missing };
}

/**
 * Lists providers.
 *
 * @example
 * await providersCommand(context, { json: true });
 */
export async function providersCommand(context: CliContext, options: { json?: boolean }): Promise<number> {
  const modules = [...context.registry.providers.values()];
  if (options.json === true) {
    const rows = modules.map((module) => {
      const key = keyState(module, process.env);
      return { name: module.name, description: module.description, simulated: module.simulated, keyVariable: module.keyVariable ?? null, keySet: key.set, defaultModels: module.defaultModels };
    });
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const rows = modules.map((module) => {
    const key = keyState(module, process.env);
    const state = key.set === null ? 'no key needed' : key.set ? style.green('set') : style.yellow('not set');
    return [module.name, key.variable, state, module.defaultModels.slice(0, 3).join(', ') + (module.simulated ? ' (simulated)' : '')];
  });
  const header = ['PROVIDER', 'KEY VARIABLE', 'KEY', 'DEFAULT MODELS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => stripAnsi(row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - stripAnsi(cell).length))).join('  ');
  process.stdout.write(`${style.bold(line(header))}\n${rows.map(line).join('\n')}\n`);
  return exitCodes.success;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing the styler's own escape codes
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/**
 * Makes one tiny call to a model and reports latency.
 *
 * @example
 * await providersPingCommand(context, 'offline/echo', {});
 */
export async function providersPingCommand(context: CliContext, model: string, options: { json?: boolean; timeoutMs?: number }): Promise<number> {
  const reference = parseModelRef(model);
  if (reference === undefined) throw new ConclaveError('invalid_argument', `"${model}" is not a model reference`, { hint: 'write it as provider/model, e.g. offline/echo' });
  const module = context.registry.providers.get(reference.provider);
  if (module === undefined) {
    throw new ConclaveError('unknown_provider', `unknown provider "${reference.provider}"`, { hint: 'list them with: conclave providers' });
  }
  const complaint = module.validateModel(reference.model);
  if (complaint !== undefined) throw new ConclaveError('unknown_model', complaint);
  const missing = keyState(module, process.env).missing;
  if (missing !== undefined) throw new ConclaveError('missing_credentials', `${module.name}: ${missing}`);

  const adapter = module.create({ env: process.env });
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const started = performance.now();
  let firstTokenMs: number | undefined;
  let text = '';
  let failure: unknown;
  try {
    for await (const part of adapter.generate({ model: reference.model, messages: [{ role: 'user', content: 'Reply with the single word: pong' }], maxTokens: 16 }, { signal, attempt: 1 })) {
      if (part.type === 'text-delta') {
        firstTokenMs ??= performance.now() - started;
        text += part.delta;
      } else if (part.type === 'error') {
        failure = ConclaveError.fromJSON(part.error);
      }
    }
  } catch (error) {
    failure = toConclaveError(error);
  }
  const totalMs = performance.now() - started;
  if (failure !== undefined) throw failure;
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ model, ok: true, timeToFirstTokenMs: firstTokenMs ?? null, totalMs, text, simulated: adapter.simulated })}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const simulated = adapter.simulated ? style.dim(' (simulated)') : '';
  process.stdout.write(`${style.green('✓')} ${model}${simulated}: first token ${firstTokenMs === undefined ? '—' : formatDuration(firstTokenMs)}, total ${formatDuration(totalMs)} — "${text.trim().slice(0, 60)}"\n`);
  return exitCodes.success;
}
