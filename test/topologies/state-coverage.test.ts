// Every state of the pipeline, parallel and debate machines is reached by a scripted run.
import { describe, it } from 'vitest';
import { debateTopology } from '../../topologies/debate.js';
import { parallelTopology } from '../../topologies/parallel.js';
import { pipelineTopology } from '../../topologies/pipeline.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';

describe('state coverage', () => {
  it('pipeline: stage → stage … → done', async () => {
    const coverage = new StateCoverage(pipelineTopology.machine);
    coverage.add(await driveMachine(pipelineTopology, { task: 't', agents: [{ name: 'a' }, { name: 'b' }] }, (call) => call.agent));
    coverage.expectComplete();
  });

  it('parallel: with and without a synthesizer', async () => {
    const coverage = new StateCoverage(parallelTopology.machine);
    coverage.add(await driveMachine(parallelTopology, { task: 't', agents: [{ name: 'a' }, { name: 'b' }] }, (call) => call.agent));
    coverage.add(await driveMachine(parallelTopology, { task: 't', agents: [{ name: 'a' }, { name: 's' }], options: { synthesizer: 's' } }, (call) => call.agent));
    coverage.expectComplete();
  });

  it('debate: consensus, max rounds and judge paths', async () => {
    const coverage = new StateCoverage(debateTopology.machine);
    const agents = [{ name: 'a' }, { name: 'b' }, { name: 'j' }];
    coverage.add(await driveMachine(debateTopology, { task: 't', agents: agents.slice(0, 2), options: { rounds: 3 } }, () => 'Final answer: x'));
    coverage.add(await driveMachine(debateTopology, { task: 't', agents, options: { rounds: 2, judge: 'j' } }, (call) => `Final answer: ${call.agent}`));
    coverage.expectComplete();
  });
});
