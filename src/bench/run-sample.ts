/**
 * One sample of a benchmark: a prompt sent once to a contestant and scored. A model contestant is
 * one streamed request measured at the stream (`measure-stream.ts`), answered from the cache when
 * the same request was made before. A topology contestant is one whole session through the kernel:
 * its latency is the session's wall time, its tokens and cost the session's totals; it has no time
 * to first token. Scoring runs the suite's assertions and, when asked, the rubric judge.
 *
 * Every known secret (the run's provider keys) is redacted from a sample before it is scored, cached
 * or written: a judge is another provider, and `samples.jsonl` and the reports are outputs too.
 */
import { deriveSeed } from '../kernel/index.js';
import type { GenerateRequest } from '../protocol/index.js';
import { combineChecks, runAssertion } from './assertions.js';
import type { BenchContext } from './bench-context.js';
import type { BenchSample, QualityCheck, QualityResult, SampleMetrics } from './bench-types.js';
import { measureStream } from './measure-stream.js';
import { requestKey } from './response-cache.js';
import { rubricCheck, rubricPrompt } from './rubric.js';
import type { BenchContestant, BenchPrompt } from './suite-schema.js';

export interface SampleTask {
  contestant: BenchContestant;
  prompt: BenchPrompt;
  repeat: number;
}

/** The seed a sample's request carries: the same for every contestant, different per repeat. */
function sampleSeed(base: number, task: SampleTask): number {
  return deriveSeed(base, `${task.prompt.id}#${task.repeat}`);
}

function failedMetrics(code: string, message: string, e2eMs: number, simulated: boolean): SampleMetrics {
  return { ttftMs: null, itlMs: null, itlGapsMs: [], tokensPerSecond: null, e2eMs, inputTokens: 0, outputTokens: 0, costUsd: 0, simulated, error: { code, message } };
}

/**
 * Runs `work` with a signal that aborts with the run or after the suite's timeout, whichever comes
 * first. Built on a timer this function holds, not `AbortSignal.any([outer, AbortSignal.timeout()])`:
 * on Node 20 the garbage collector can reclaim that timeout signal while the request is pending, and
 * the timeout then never fires.
 */
async function withDeadline<T>(outer: AbortSignal, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer.reason);
  if (outer.aborted) onOuterAbort();
  else outer.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
  }
}

function timeoutAware(metrics: SampleMetrics, outer: AbortSignal, timeoutMs: number): SampleMetrics {
  if (metrics.error?.code === 'aborted' && !outer.aborted) {
    return { ...metrics, error: { code: 'timeout', message: `no complete answer within ${timeoutMs} ms (timeout_ms)` } };
  }
  return metrics;
}

/**
 * The request a model contestant gets for a prompt.
 *
 * @example
 * modelRequest(context, contestant, task) // → { model: 'arith?accuracy=0.9', messages: [{ role: 'user', content: 'What is 2+2?' }], seed: 812… }
 */
export function modelRequest(context: BenchContext, contestant: Extract<BenchContestant, { kind: 'model' }>, task: SampleTask, resolved = context.model(contestant.model)): GenerateRequest {
  const request: GenerateRequest = {
    ...resolved.request,
    messages: [{ role: 'user', content: task.prompt.prompt }],
    seed: sampleSeed(context.suite.seed, task),
  };
  if (contestant.system !== undefined) request.system = contestant.system;
  if (contestant.temperature !== undefined) request.temperature = contestant.temperature;
  if (contestant.maxTokens !== undefined) request.maxTokens = contestant.maxTokens;
  return request;
}

async function runModel(context: BenchContext, contestant: Extract<BenchContestant, { kind: 'model' }>, task: SampleTask, signal: AbortSignal): Promise<{ text: string; metrics: SampleMetrics; cached: boolean }> {
  const resolved = context.model(contestant.model);
  const request = modelRequest(context, contestant, task, resolved);
  const key = requestKey(resolved.provider, request);
  const hit = await context.cache.get(key);
  // Marked on every sample, cached ones included: a price can vanish from (or appear in) the catalogue.
  const pricing = resolved.unpriced ? { unpriced: true } : {};
  if (hit?.kind === 'sample') return { text: hit.text, metrics: { ...hit.metrics, ...pricing }, cached: true };
  const measured = await withDeadline(signal, context.suite.timeoutMs, (deadline) => measureStream(resolved.adapter, request, { signal: deadline, cost: resolved.cost }));
  const metrics = { ...context.redactor.redactValue(timeoutAware(measured.metrics, signal, context.suite.timeoutMs)), ...pricing };
  const text = context.redactor.redact(measured.text);
  if (metrics.error === null) await context.cache.put(key, { kind: 'sample', text, metrics, at: new Date().toISOString() });
  return { text, metrics, cached: false };
}

async function runTopology(context: BenchContext, contestant: Extract<BenchContestant, { kind: 'topology' }>, task: SampleTask, signal: AbortSignal): Promise<{ text: string; metrics: SampleMetrics; cached: boolean; sessionId: string }> {
  const kernel = context.kernel();
  const hitsBefore = context.cache.stats.hits;
  const start = performance.now();
  const definition = { ...contestant.document, providers: { ...contestant.document.providers, ...context.suite.providers } };
  const sessionId = await kernel.createSession(definition, {
    task: task.prompt.prompt,
    seed: sampleSeed(context.suite.seed, task),
    title: `${contestant.name} · ${task.prompt.id} #${task.repeat + 1}`,
    source: contestant.target,
  });
  const result = await withDeadline(signal, context.suite.timeoutMs, (deadline) => kernel.runSession(sessionId, { signal: deadline }));
  const e2eMs = Math.round((performance.now() - start) * 1000) / 1000;
  const cached = context.cache.stats.hits > hitsBefore;
  const pricing = (await context.unpricedModels(sessionId)).length > 0 ? { unpriced: true } : {};
  if (result.error !== undefined || result.answer === undefined || result.stopReason !== 'end_turn') {
    const code = result.error?.code ?? (result.stopReason === 'interrupted' ? 'aborted' : 'session_failed');
    const message = result.error?.message ?? `the session ended ${result.status}${result.stopReason !== undefined ? ` (${result.stopReason})` : ''} without an answer`;
    return { text: '', metrics: timeoutAware({ ...failedMetrics(code, message, e2eMs, result.simulated), costUsd: result.cost.usd, ...pricing }, signal, context.suite.timeoutMs), cached, sessionId };
  }
  return {
    text: result.answer,
    cached,
    sessionId,
    metrics: {
      ttftMs: null,
      itlMs: null,
      itlGapsMs: [],
      tokensPerSecond: null,
      e2eMs,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      ...(result.usage.cachedInputTokens !== undefined ? { cachedInputTokens: result.usage.cachedInputTokens } : {}),
      costUsd: result.cost.usd,
      ...pricing,
      simulated: result.simulated,
      error: null,
    },
  };
}

async function judgeRubric(context: BenchContext, task: SampleTask, answer: string, signal: AbortSignal): Promise<QualityCheck> {
  const rubric = context.suite.scoring.rubric!;
  const judge = context.model(rubric.judge);
  const request: GenerateRequest = {
    ...judge.request,
    messages: [{ role: 'user', content: rubricPrompt(rubric.criteria, task.prompt.prompt, answer, rubric.scale) }],
    seed: deriveSeed(context.suite.seed, `rubric/${task.contestant.name}/${task.prompt.id}#${task.repeat}`),
  };
  const key = requestKey(judge.provider, request);
  const hit = await context.cache.get(key);
  if (hit?.kind === 'sample') return rubricCheck(hit.text, rubric.scale);
  const measured = await withDeadline(signal, context.suite.timeoutMs, (deadline) => measureStream(judge.adapter, request, { signal: deadline, cost: judge.cost }));
  context.judging.calls += 1;
  context.judging.costUsd += measured.metrics.costUsd;
  if (measured.metrics.error !== null) {
    return { name: 'rubric', passed: false, score: 0, detail: `the judge failed: ${measured.metrics.error.code}: ${measured.metrics.error.message}` };
  }
  const verdict = context.redactor.redact(measured.text);
  await context.cache.put(key, { kind: 'sample', text: verdict, metrics: measured.metrics, at: new Date().toISOString() });
  return rubricCheck(verdict, rubric.scale);
}

async function score(context: BenchContext, task: SampleTask, output: string, metrics: SampleMetrics, signal: AbortSignal): Promise<QualityResult | null> {
  const scoring = context.suite.scoring;
  if (scoring.assertions.length === 0 && scoring.rubric === undefined) return null;
  if (metrics.error !== null) {
    return { score: 0, passed: false, checks: [{ name: 'error', passed: false, score: 0, detail: `no answer: ${metrics.error.code}` }] };
  }
  const sample = { prompt: task.prompt.prompt, promptId: task.prompt.id, ...(task.prompt.expected !== undefined ? { expected: task.prompt.expected } : {}) };
  const checks: QualityCheck[] = [];
  for (const assertion of scoring.assertions) checks.push(await runAssertion(assertion, output, sample, context.suite.baseDir));
  if (scoring.rubric !== undefined) checks.push(await judgeRubric(context, task, output, signal));
  return combineChecks(checks);
}

/**
 * Runs and scores one sample. Never throws for a failed request: the failure is in `metrics.error`.
 *
 * @example
 * const sample = await runSample(context, { contestant, prompt, repeat: 0 }, signal);
 * sample.metrics.ttftMs // → 41.3
 */
export async function runSample(context: BenchContext, task: SampleTask, signal: AbortSignal): Promise<BenchSample> {
  const { contestant } = task;
  const at = new Date().toISOString();
  const ran = contestant.kind === 'model' ? await runModel(context, contestant, task, signal) : await runTopology(context, contestant, task, signal);
  // Redacted again here: a cache entry written before keys were redacted may still hold one.
  const output = context.redactor.redact(ran.text);
  const metrics = context.redactor.redactValue(ran.metrics);
  const quality = await score(context, task, output, metrics, signal);
  const sample: BenchSample = {
    contestant: contestant.name,
    promptId: task.prompt.id,
    repeat: task.repeat,
    output,
    metrics,
    quality,
    cached: ran.cached,
    at,
  };
  if ('sessionId' in ran && typeof ran.sessionId === 'string') sample.sessionId = ran.sessionId;
  return context.redactor.redactValue(sample);
}

/**
 * Sends `count` warm-up requests of a model contestant (first prompt, never cached, not recorded),
 * so connection setup and provider cold starts stay out of the measured samples.
 *
 * @example
 * await warmUp(context, contestant, suite.prompts[0], 1, signal);
 */
export async function warmUp(context: BenchContext, contestant: BenchContestant, prompt: BenchPrompt, count: number, signal: AbortSignal): Promise<void> {
  if (contestant.kind !== 'model') return;
  const resolved = context.model(contestant.model);
  for (let index = 0; index < count && !signal.aborted; index += 1) {
    const request = modelRequest(context, contestant, { contestant, prompt, repeat: -1 - index }, resolved);
    await withDeadline(signal, context.suite.timeoutMs, (deadline) => measureStream(resolved.adapter, request, { signal: deadline, cost: resolved.cost }));
  }
}
