import { junitSeconds, xmlAttrs, xmlEscape } from '../xml.js';
import type { GoTestRun } from './go-test-json.js';
import type { GammaLevel, GammaResult } from './result.js';

/**
 * junit.xml for GAMMA. After a run, one <testcase> per test the suite ran, from `go test -json`:
 * pass, <failure> with the test's output, <skipped> (a test the suite skips for an unsupported
 * feature or --skip-tests), and <error> for a test cut short (cancelled, timed out). When only a
 * report is at hand (`gamma report`), the report names only its failed and skipped tests: those
 * become cases, and each profile's suite carries the passed count the report states.
 */

const OUTPUT_LIMIT = 64 * 1024;

function clip(lines: string[]): string {
  const text = lines.join('');
  return text.length > OUTPUT_LIMIT ? `…${text.slice(text.length - OUTPUT_LIMIT)}` : text;
}

/** The failure's message: testify prints `Error Trace:`, `Error:` and then the message; skip the framing lines. */
function lastFailureLine(lines: string[]): string {
  const text = lines.join('').split('\n').map((l) => l.trim());
  const framing = /^(---|===|Error Trace:|Error:|Test:|Messages:|[\w.-]+\.go:\d+:\s*$)/;
  return text.reverse().find((l) => l !== '' && !framing.test(l)) ?? 'failed';
}

export function junitFromGoTest(run: GoTestRun, title: string, timestamp: Date): string {
  const cases = run.cases;
  const count = (s: string) => cases.filter((c) => c.status === s).length;
  const lines: string[] = [];
  for (const c of cases) {
    const head = `    <testcase${xmlAttrs({ classname: 'gateway-api.conformance', name: c.name, time: junitSeconds(c.elapsedMs) })}`;
    const out = c.output.length > 0 ? [`      <system-out>${xmlEscape(clip(c.output))}</system-out>`] : [];
    if (c.status === 'pass') {
      lines.push(`${head}/>`);
    } else if (c.status === 'fail') {
      lines.push(`${head}>`, `      <failure${xmlAttrs({ message: lastFailureLine(c.output), type: 'TestFailed' })}/>`, ...out, '    </testcase>');
    } else if (c.status === 'skip') {
      const reason = c.output.join('').split('\n').map((l) => l.trim()).find((l) => /skip/i.test(l) && !l.startsWith('=== ')) ?? 'skipped';
      lines.push(`${head}>`, `      <skipped${xmlAttrs({ message: reason })}/>`, '    </testcase>');
    } else {
      lines.push(`${head}>`, `      <error${xmlAttrs({ message: 'the test did not finish (the run was cancelled, timed out or crashed)', type: 'Incomplete' })}/>`, ...out, '    </testcase>');
    }
  }
  const topFailedAlone = run.top?.status === 'fail' && count('fail') === 0;
  if (topFailedAlone) {
    // TestConformance failed outside any test: setup (CRD version check, base manifests) went wrong.
    lines.push(
      `    <testcase${xmlAttrs({ classname: 'gateway-api.conformance', name: `${run.top!.name} (setup)`, time: junitSeconds(run.top!.elapsedMs) })}>`,
      `      <error${xmlAttrs({ message: lastFailureLine(run.top!.output), type: 'SuiteSetup' })}/>`,
      `      <system-out>${xmlEscape(clip(run.top!.output))}</system-out>`,
      '    </testcase>',
    );
  }
  const attrs = {
    name: title,
    tests: cases.length + (topFailedAlone ? 1 : 0),
    failures: count('fail'),
    errors: count('incomplete') + (topFailedAlone ? 1 : 0),
    skipped: count('skip'),
    time: junitSeconds(run.top?.elapsedMs ?? cases.reduce((n, c) => n + c.elapsedMs, 0)),
    timestamp: timestamp.toISOString(),
  };
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${xmlAttrs({ name: title, tests: attrs.tests, failures: attrs.failures, errors: attrs.errors, skipped: attrs.skipped, time: attrs.time })}>`, `  <testsuite${xmlAttrs(attrs)}>`, ...lines, '  </testsuite>', '</testsuites>', ''].join('\n');
}

function levelSuite(profile: string, levelName: 'core' | 'extended', level: GammaLevel): string[] {
  const classname = `${profile}.${levelName}`;
  const cases = [
    ...level.failed_tests.map((t) => [`    <testcase${xmlAttrs({ classname, name: t })}>`, `      <failure${xmlAttrs({ message: `${t} failed (${profile} ${levelName})`, type: 'TestFailed' })}/>`, '    </testcase>']),
    ...level.skipped_tests.map((t) => [`    <testcase${xmlAttrs({ classname, name: t })}>`, `      <skipped${xmlAttrs({ message: `${t} was skipped (${profile} ${levelName})` })}/>`, '    </testcase>']),
  ].flat();
  return [
    `  <testsuite${xmlAttrs({ name: `${profile} ${levelName}`, tests: level.failed_tests.length + level.skipped_tests.length, failures: level.failed_tests.length, errors: 0, skipped: level.skipped_tests.length })}>`,
    '    <properties>',
    `      <property${xmlAttrs({ name: 'result', value: level.result })}/>`,
    `      <property${xmlAttrs({ name: 'passed', value: level.passed })}/>`,
    `      <property${xmlAttrs({ name: 'failed', value: level.failed })}/>`,
    `      <property${xmlAttrs({ name: 'skipped', value: level.skipped })}/>`,
    '    </properties>',
    ...cases,
    `    <system-out>${xmlEscape(`A ConformanceReport names only failed and skipped tests; the report counts ${level.passed} passed ${levelName} test${level.passed === 1 ? '' : 's'} for ${profile}.`)}</system-out>`,
    '  </testsuite>',
  ];
}

export function junitFromResult(result: GammaResult, title: string): string {
  const levels = result.profiles.flatMap((p) => [p.core, ...(p.extended ? [p.extended] : [])]);
  const failures = levels.reduce((n, l) => n + l.failed_tests.length, 0);
  const skipped = levels.reduce((n, l) => n + l.skipped_tests.length, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${xmlAttrs({ name: title, tests: failures + skipped, failures, errors: 0, skipped })}>`,
    ...result.profiles.flatMap((p) => [...levelSuite(p.name, 'core', p.core), ...(p.extended ? levelSuite(p.name, 'extended', p.extended) : [])]),
    '</testsuites>',
    '',
  ].join('\n');
}
