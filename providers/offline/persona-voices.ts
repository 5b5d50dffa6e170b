/**
 * The voices of the `persona` model: for each persona, the words in a system prompt that select
 * it, how it leans among the task's stances, how easily other agents sway it, and the sentences it
 * argues with. Templates take `{topic}` and `{topic2}` (salient words of the task) and `{stance}`.
 */
import type { PersonaName } from './offline-model-options.js';

export interface PersonaVoice {
  /** Lower-case fragments of a system prompt that select this persona. */
  keywords: readonly string[];
  /** Weights over the task's stances by position: first option, second option, "it depends". */
  lean: readonly [number, number, number];
  /** Multiplies the probability of adopting the majority's stance (0..1). */
  susceptibility: number;
  /** First sentence: the persona's angle on the topic. */
  openers: readonly string[];
  /** Middle sentences: supporting points. */
  supports: readonly string[];
}

export const personaVoices: Record<PersonaName, PersonaVoice> = {
  optimist: {
    keywords: ['optimis', 'hopeful', 'enthusias', 'positive', 'advocate', 'proponent', 'in favour', 'in favor'],
    lean: [0.6, 0.15, 0.25],
    susceptibility: 0.85,
    openers: [
      'I see real upside in {topic}, and it is bigger than the risks suggest.',
      'The case for {topic} is stronger than it first looks.',
      'Looking at {topic} and {topic2}, the opportunities clearly outweigh the drawbacks.',
      'Most of the worries about {topic} are solvable with ordinary care.',
    ],
    supports: [
      'Teams that commit early on {topic} usually learn faster than those that wait.',
      'Even the downside is limited, because we can correct course on {topic2} later.',
      'A clear decision on {topic} creates momentum, and momentum compounds.',
      'Every example I know of {topic2} done well started with someone willing to try.',
    ],
  },
  skeptic: {
    keywords: ['skeptic', 'sceptic', 'critic', 'doubt', 'cautious', 'careful', 'risk'],
    lean: [0.15, 0.6, 0.25],
    susceptibility: 0.6,
    openers: [
      'I am not convinced the evidence on {topic} supports the confident claims.',
      'Before anyone commits on {topic}, someone should show me the failure cases.',
      'Enthusiasm about {topic} is not the same thing as proof.',
      'The story around {topic} sounds tidy, which is exactly why I distrust it.',
    ],
    supports: [
      'The hidden costs of {topic2} tend to surface late, when they are expensive to fix.',
      'Success stories about {topic} are selected; the quiet failures are not written up.',
      'If {topic2} goes wrong, undoing it will cost far more than waiting would have.',
      'Nobody has shown what happens to {topic} under real load, with real people.',
    ],
  },
  pragmatist: {
    keywords: ['pragmat', 'practical', 'engineer', 'operator', 'realist', 'hands-on'],
    lean: [0.25, 0.2, 0.55],
    susceptibility: 0.95,
    openers: [
      'In practice, the answer on {topic} turns on budget, team and timeline.',
      'A small pilot on {topic} would settle more than another round of argument.',
      'What works for one team on {topic2} can fail for the next, so context decides.',
      'I care less about the principle of {topic} than about what we can ship and maintain.',
    ],
    supports: [
      'Start with the cheapest reversible step on {topic} and measure what happens.',
      'The constraint that matters most is usually people, not {topic2}.',
      'Whatever we pick for {topic}, we should agree now on the signal that would change our mind.',
      'Most of the difference between the options on {topic2} disappears once it is running.',
    ],
  },
  contrarian: {
    keywords: ['contrarian', "devil's advocate", 'devils advocate', 'challenge', 'dissent', 'opposite'],
    lean: [0.34, 0.33, 0.33],
    susceptibility: 0.35,
    openers: [
      'Everyone seems to assume the obvious view of {topic}; I want to test the opposite.',
      'The popular answer on {topic} rests on an assumption nobody has checked.',
      'If we all agree on {topic} this quickly, we have probably missed something.',
      'Let me argue the side of {topic} that nobody in the room is arguing.',
    ],
    supports: [
      'The strongest argument about {topic2} is usually the one that is unfashionable.',
      'Consensus on {topic} tells us what is comfortable, not what is true.',
      'History is full of confident calls on things like {topic2} that aged badly.',
    ],
  },
  analyst: {
    keywords: ['analyst', 'analytic', 'data', 'evidence', 'quantitative', 'scientist', 'statistic', 'economist'],
    lean: [0.35, 0.35, 0.3],
    susceptibility: 0.8,
    openers: [
      'If we break {topic} into costs, benefits and risks, the picture gets clearer.',
      'The base rates for {topic2} matter more than any single anecdote.',
      'Measured against its alternatives, {topic} has a specific, testable profile.',
      'The question about {topic} is really a question about expected value.',
    ],
    supports: [
      'The numbers on {topic2} are noisy, but the direction of the effect is consistent.',
      'Second-order effects of {topic} are where most estimates go wrong.',
      'We should weigh how likely each outcome of {topic} is, not only how vivid it is.',
      'A fair comparison holds {topic2} constant and changes one thing at a time.',
    ],
  },
  ethicist: {
    keywords: ['ethic', 'moral', 'values', 'fairness', 'philosoph', 'human', 'society'],
    lean: [0.3, 0.3, 0.4],
    susceptibility: 0.7,
    openers: [
      'Whatever we decide on {topic}, the people affected by {topic2} deserve a say.',
      'The right answer on {topic} has to weigh fairness, not only efficiency.',
      'Before asking whether {topic} works, we should ask whom it works for.',
      'There is a duty of care in {topic} that the technical arguments tend to skip.',
    ],
    supports: [
      'Costs of {topic2} that fall on people without a voice are still costs.',
      'A decision on {topic} that we could not explain openly is a bad decision.',
      'Trust, once lost over {topic2}, is slow and expensive to rebuild.',
    ],
  },
};

/** Sentences that engage with other agents; `{names}`, `{other}`, `{previous}` are filled in. */
export const engagementTemplates = {
  agreeNamed: [
    'I take the point {names} made, and I land in the same place.',
    'Like {names}, I think "{stance}" holds up.',
    '{names} put it well, and my reading of {topic} agrees.',
  ],
  agreeUnnamed: [
    'I take the point the other answers make, and I land in the same place.',
    'The other answers and I agree here, which is reassuring.',
  ],
  disagreeNamed: [
    'Unlike {names}, I do not think "{other}" follows from what we know about {topic}.',
    'I take the point {names} made, but "{other}" underweights {topic2}.',
    'I read {topic} differently from {names}, who settled on "{other}".',
  ],
  disagreeUnnamed: [
    'Most answers so far say "{other}", but I still think that underweights {topic2}.',
    'I take the point behind "{other}", but it does not survive a closer look at {topic}.',
  ],
  switched: [
    '{names} have persuaded me: I am moving from "{previous}" to "{stance}".',
    'I said "{previous}" before, but the arguments from {names} changed my mind.',
    'Having read {names}, I no longer defend "{previous}".',
  ],
} as const;

/** Closing sentences that state the stance. */
export const closingTemplates: readonly string[] = [
  'On balance, my answer is "{stance}".',
  'Weighing all of that, I come down on "{stance}".',
  'So my position is "{stance}".',
  'That is why I settle on "{stance}".',
];
