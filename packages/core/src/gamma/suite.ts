import { readFile } from 'node:fs/promises';
import { runChecked, runCommand } from '../exec.js';
import type { Logger } from '../log.js';
import { GoTestJsonReader, type GoTestRun } from './go-test-json.js';
import { writeSuiteModule } from './module.js';
import type { GoToolchain } from './toolchain.js';

/**
 * Runs the official suite: writes the temporary module, resolves and verifies its dependencies
 * (`go mod tidy`: go.sum from proxy.golang.org, checked against sum.golang.org), then
 *   go test -v -json -count=1 -timeout 2h -run TestConformance . -args <suite flags>
 * `-json` makes go test emit test2json events on stdout (it implies -v; -v stays so the command is
 * the one upstream documents, plus -json): one process, and every test's pass, fail or skip arrives
 * as data, with its output, for junit.xml. The test binary's text output is still printed to the
 * log line by line from the events. `-timeout 2h` replaces go test's 10-minute default, which a
 * mesh run outlasts; the suite's flags are parsed by the test binary (registered in init()).
 */
const SUITE_TIMEOUT = '2h';
const SUITE_TIMEOUT_MS = 2 * 60 * 60_000;

function goTestArgs(suiteArgs: string[]): string[] {
  return ['test', '-v', '-json', '-count=1', '-timeout', SUITE_TIMEOUT, '-run', 'TestConformance', '.', '-args', ...suiteArgs];
}

export interface SuiteRunOptions {
  go: GoToolchain;
  moduleDir: string;
  gatewayApiVersion: string;
  goVersion: string | undefined;
  suiteArgs: string[];
  reportPath: string;
  kubeconfigPath: string;
  logger: Logger;
  signal: AbortSignal;
}

export interface SuiteRun {
  exitCode: number;
  goTest: GoTestRun;
  /** The report's text, when the suite wrote one. */
  reportText?: string;
  cancelled: boolean;
  /** The last lines the run printed (test output, then stderr), for an infrastructure error. */
  lastOutput: string[];
}

export async function runSuite(o: SuiteRunOptions): Promise<SuiteRun> {
  const { logger } = o;
  logger.info(o.go.choice);
  await writeSuiteModule(o.moduleDir, o.gatewayApiVersion, o.goVersion);
  const env: NodeJS.ProcessEnv = { ...o.go.env, KUBECONFIG: o.kubeconfigPath };
  // `go: downloading <module> <version>` lines on stderr log each download; go verifies each against go.sum/sumdb.
  await runChecked(o.go.go, ['mod', 'tidy'], {
    logger,
    env,
    cwd: o.moduleDir,
    signal: o.signal,
    what: `go mod tidy (fetching sigs.k8s.io/gateway-api ${o.gatewayApiVersion} and its dependencies through ${env.GOPROXY}, verified by ${env.GOSUMDB})`,
  });
  const reader = new GoTestJsonReader((line) => logger.info(line));
  let exitCode: number;
  let cancelled = false;
  let stderrTail: string[] = [];
  try {
    const result = await runCommand(o.go.go, goTestArgs(o.suiteArgs), {
      logger,
      env,
      cwd: o.moduleDir,
      signal: o.signal,
      timeoutMs: SUITE_TIMEOUT_MS + 10 * 60_000,
      onStdoutLine: (line) => reader.line(line),
    });
    exitCode = result.code;
    // stderr (build errors, a toolchain download, a crash before test2json) was logged as it came.
    stderrTail = result.stderr.split('\n').filter((l) => l.trim() !== '').slice(-20);
  } catch (error) {
    if (!o.signal.aborted) throw error;
    cancelled = true;
    exitCode = 130;
  }
  reader.end();
  let reportText: string | undefined;
  try {
    reportText = await readFile(o.reportPath, 'utf8');
  } catch {
    reportText = undefined;
  }
  const goTest = reader.run();
  return { exitCode, goTest, reportText, cancelled, lastOutput: [...goTest.tail.slice(-20), ...stderrTail] };
}
