/**
 * The benchmark suite document (`benchmarks/providers/*.yaml`): who competes (models, or whole
 * topology documents), on what (inline prompts or a JSONL dataset with expected answers), how
 * (repeats, warm-up requests, concurrency, timeouts) and how answers are scored (assertions, a
 * rubric judge, pairwise head-to-head). Field names are snake_case like topology documents.
 */
import { z } from 'zod';
import { providersSectionSchema, type ProvidersSection } from '../protocol/index.js';
import type { TopologyDocument } from '../config/index.js';
import { assertionSchema, type Assertion } from './assertions.js';

const contestantName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a contestant name starts with a letter and holds only letters, digits, "-" and "_" (at most 64), like an agent name');

export const suiteContestantSchema = z.strictObject({
  name: contestantName,
  /** `provider/model` for a single model. */
  model: z.string().min(1).optional(),
  /** A topology document: a path relative to the suite, or the document inline. */
  topology: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  system: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  description: z.string().optional(),
});

export const suitePromptSchema = z.strictObject({
  id: z.string().min(1).optional(),
  prompt: z.string().min(1, 'a prompt must not be empty'),
  /** The right answer, for assertions that compare against it. */
  expected: z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});

export const rubricSchema = z.strictObject({
  judge: z.string().min(1).describe('The judge model, provider/model.'),
  criteria: z.string().min(1).describe('What a good answer does; the judge grades against it.'),
  scale: z.number().int().min(2).max(100).default(10),
});

export const pairwiseSchema = z.strictObject({
  judge: z.string().min(1).describe('The judge model of the tournament, provider/model.'),
  /** How many prompts get a tournament (the first ones); default all. */
  prompts: z.number().int().positive().optional(),
});

export const suiteScoringSchema = z.strictObject({
  assertions: z.array(assertionSchema).default([]),
  rubric: rubricSchema.optional(),
  pairwise: pairwiseSchema.optional(),
});

export const suiteSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  contestants: z.array(suiteContestantSchema).min(1, 'a suite needs at least one contestant'),
  prompts: z.array(suitePromptSchema).optional(),
  /** A JSONL file of `{"id", "prompt", "expected"}` lines, relative to the suite. */
  dataset: z.string().min(1).optional(),
  /** Use only the first N prompts. */
  limit: z.number().int().positive().optional(),
  system: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  repeat: z.number().int().min(1).max(10_000).default(1),
  warmup: z.number().int().min(0).max(100).default(1),
  concurrency: z.number().int().min(1).max(1024).default(1),
  timeout_ms: z.number().int().positive().default(120_000),
  seed: z.number().int().default(0),
  providers: providersSectionSchema.optional(),
  scoring: suiteScoringSchema.optional(),
});
export type SuiteDocument = z.infer<typeof suiteSchema>;

/** A contestant, resolved. */
export type BenchContestant =
  | { kind: 'model'; name: string; model: string; system?: string; temperature?: number; maxTokens?: number }
  | { kind: 'topology'; name: string; target: string; document: TopologyDocument };

export interface BenchPrompt {
  id: string;
  prompt: string;
  expected?: unknown;
}

/** A loaded, validated suite: everything a run needs, JSON-serialisable (it is snapshotted for `--resume`). */
export interface BenchSuite {
  name: string;
  description?: string;
  /** The suite file as given. */
  file: string;
  /** Absolute directory of the suite file: relative paths in it resolve from here. */
  baseDir: string;
  contestants: BenchContestant[];
  prompts: BenchPrompt[];
  repeat: number;
  warmup: number;
  concurrency: number;
  timeoutMs: number;
  seed: number;
  providers?: ProvidersSection;
  scoring: {
    assertions: Assertion[];
    rubric?: { judge: string; criteria: string; scale: number };
    pairwise?: { judge: string; prompts?: number };
  };
}
