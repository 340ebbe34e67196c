import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hasConformanceModule } from './versions.js';

/**
 * The temporary Go module that runs the official suite unmodified: it requires sigs.k8s.io/gateway-api
 * and (since v1.5) sigs.k8s.io/gateway-api/conformance at the pinned version, both explicitly,
 * because the conformance module's own `replace sigs.k8s.io/gateway-api => ../` is ignored in a
 * dependency (conformance/go.mod at v1.6.1; Istio's go.mod requires both the same way). Its one test
 * is the suite's own entry point; the suite registers its flags in init()
 * (conformance/utils/flags/flags.go), so `go test … -args --flag=value` reaches them.
 */
const SUITE_MODULE = 'meshspec.local/gamma-conformance';

function goMod(version: string, goVersion: string | undefined): string {
  const requires = [`\tsigs.k8s.io/gateway-api ${version}`, ...(hasConformanceModule(version) ? [`\tsigs.k8s.io/gateway-api/conformance ${version}`] : [])];
  return [`module ${SUITE_MODULE}`, '', `go ${goVersion ?? '1.21'}`, '', 'require (', ...requires, ')', ''].join('\n');
}

const CONFORMANCE_TEST_GO = [
  'package conformance_test',
  '',
  'import (',
  '\t"testing"',
  '',
  '\t"sigs.k8s.io/gateway-api/conformance"',
  ')',
  '',
  'func TestConformance(t *testing.T) { conformance.RunConformance(t) }',
  '',
].join('\n');

/** Writes go.mod and conformance_test.go into `dir` (created). go.sum comes from `go mod tidy`. */
export async function writeSuiteModule(dir: string, version: string, goVersion: string | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'go.mod'), goMod(version, goVersion));
  await writeFile(path.join(dir, 'conformance_test.go'), CONFORMANCE_TEST_GO);
}
