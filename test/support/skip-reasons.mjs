// A vitest reporter added next to the default one: after the run it lists every skipped test with
// the reason it was skipped (the note given to ctx.skip by requires.mjs), so a plain `npm test`
// says what it did not run and how to run it (.ci/run), instead of a bare "N skipped".
import { relative } from 'node:path';

export default class SkipReasons {
  /** @type {string[]} */
  skipped = [];

  /** @param {import('vitest/node').TestCase} test */
  onTestCaseResult(test) {
    const result = test.result();
    if (result.state !== 'skipped') return;
    this.skipped.push(`  ↓ ${relative(process.cwd(), test.module.moduleId)} > ${test.fullName}\n      ${result.note ?? 'skipped without a reason'}`);
  }

  onTestRunEnd() {
    if (this.skipped.length === 0) return;
    process.stdout.write(`\nSkipped (${this.skipped.length}); \`bash .ci/run\` installs what they need and runs them all:\n${this.skipped.join('\n')}\n`);
  }
}
