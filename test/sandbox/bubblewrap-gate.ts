// Gate for suites that need a working bubblewrap: they run where it works, fail in CI where it does
// not (CI must prove containment, so a missing bwrap is a broken CI image), and skip with the reason
// elsewhere.
import { describe, it } from 'vitest';
import { diagnoseBubblewrap } from '../../src/sandbox/index.js';

export const bubblewrapDiagnosis = await diagnoseBubblewrap();

const missingReason = bubblewrapDiagnosis.available ? '' : `${bubblewrapDiagnosis.reason} — ${bubblewrapDiagnosis.hint}`;

/** `describe` when bubblewrap works here; a failing test in CI and a skipped suite elsewhere when not. */
export function describeWithBubblewrap(title: string, body: () => void): void {
  if (bubblewrapDiagnosis.available) {
    describe(title, body);
  } else if (process.env['CI'] === 'true') {
    describe(title, () => {
      it('needs bubblewrap, which CI must have (apt-get install bubblewrap)', () => {
        throw new Error(`bubblewrap is required in CI to prove sandbox containment: ${missingReason}. Install it with: apt-get install bubblewrap`);
      });
    });
  } else {
    describe.skip(`${title} (skipped: bubblewrap cannot run here: ${missingReason}; install it with apt-get install bubblewrap)`, body);
  }
}
