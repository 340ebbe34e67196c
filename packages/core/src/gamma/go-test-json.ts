/**
 * Reads `go test -json` output (test2json events: golang/go src/cmd/internal/test2json, documented
 * in `go doc test2json`): one JSON object a line with Action run|pause|cont|pass|fail|skip|output|
 * start|bench, plus build-output/build-fail since Go 1.24. The conformance suite runs each test as
 * a subtest `TestConformance/<ShortName>` (conformance/utils/suite/suite.go, `t.Run(test.ShortName,
 * ...)`); deeper subtests belong to their test. Lines that are not JSON (a toolchain download
 * message, a crash before test2json starts) are kept as output too, so nothing the run printed
 * is lost.
 */
export interface GoTestEvent {
  Time?: string;
  Action: string;
  Package?: string;
  Test?: string;
  Elapsed?: number;
  Output?: string;
}

type GoTestStatus = 'pass' | 'fail' | 'skip' | 'incomplete';

export interface GoTestCase {
  /** The suite's ShortName, e.g. MeshBasic. */
  name: string;
  status: GoTestStatus;
  elapsedMs: number;
  /** Its output (and its subtests'), in order. */
  output: string[];
}

export interface GoTestRun {
  /** The top-level test (TestConformance), if it started. */
  top?: { name: string; status: GoTestStatus; elapsedMs: number; output: string[] };
  cases: GoTestCase[];
  /** The package's own result line (`ok`/`FAIL`), if the run got that far. */
  packageStatus?: 'pass' | 'fail';
  /** The last lines printed by anything, for an infrastructure error. */
  tail: string[];
}

const TAIL_LINES = 40;

/** Feed it lines as they arrive; `run()` is the state so far (a cancelled run keeps its incomplete tests). */
export class GoTestJsonReader {
  private readonly cases = new Map<string, GoTestCase>();
  private top?: GoTestRun['top'];
  private packageStatus?: 'pass' | 'fail';
  private readonly tail: string[] = [];
  private pending = '';

  constructor(private readonly onOutput?: (line: string) => void) {}

  /** A chunk of stdout: split into lines, keeping a partial last line for the next chunk. */
  write(chunk: string): void {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  end(): void {
    if (this.pending !== '') this.line(this.pending);
    this.pending = '';
  }

  private remember(text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) {
      this.tail.push(line);
      this.onOutput?.(line);
    }
    if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
  }

  line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    let event: GoTestEvent;
    try {
      event = JSON.parse(line) as GoTestEvent;
      if (!event || typeof event.Action !== 'string') throw new Error('not an event');
    } catch {
      this.remember(line);
      return;
    }
    this.event(event);
  }

  private event(e: GoTestEvent): void {
    const output = e.Action === 'output' || e.Action === 'build-output' ? (e.Output ?? '') : '';
    if (output) this.remember(output);
    if (!e.Test) {
      if (e.Action === 'pass' || e.Action === 'fail') this.packageStatus = e.Action;
      if (e.Action === 'build-fail') this.packageStatus = 'fail';
      return;
    }
    const [topName, caseName] = e.Test.split('/');
    if (caseName === undefined) {
      this.top ??= { name: topName!, status: 'incomplete', elapsedMs: 0, output: [] };
      if (output) this.top.output.push(output);
      if (e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip') {
        this.top.status = e.Action;
        this.top.elapsedMs = Math.round((e.Elapsed ?? 0) * 1000);
      }
      return;
    }
    let c = this.cases.get(caseName);
    if (!c) {
      c = { name: caseName, status: 'incomplete', elapsedMs: 0, output: [] };
      this.cases.set(caseName, c);
    }
    if (output) c.output.push(output);
    // Only the test's own end event decides; a deeper subtest's pass or fail is part of its output.
    if (e.Test === `${topName}/${caseName}` && (e.Action === 'pass' || e.Action === 'fail' || e.Action === 'skip')) {
      c.status = e.Action;
      c.elapsedMs = Math.round((e.Elapsed ?? 0) * 1000);
    }
  }

  run(): GoTestRun {
    return { top: this.top, cases: [...this.cases.values()], packageStatus: this.packageStatus, tail: [...this.tail] };
  }
}

/** Parses a whole `go test -json` stream at once. */
export function parseGoTestJson(text: string): GoTestRun {
  const reader = new GoTestJsonReader();
  reader.write(text);
  reader.end();
  return reader.run();
}
