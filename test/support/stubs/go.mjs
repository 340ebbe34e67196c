// Stub `go` for the GAMMA tests. It records each call (argv, cwd, the Go environment, the module's go.mod)
// as a JSON line in $MESHSPEC_STUB_LOG and behaves like the real go command where meshspec depends on it:
//   go version      `go version go<V> linux/amd64`; V is $GOROOT/VERSION beside the stub (as in a real GOROOT,
//                   for $GOROOT_1_26_X64/bin/go), else $MESHSPEC_STUB_GO_VERSION, else 1.26.6
//   go mod tidy     refuses a module whose `go` line is newer than itself under GOTOOLCHAIN=local (the real
//                   message), "switches" under GOTOOLCHAIN=auto, refuses GOSUMDB=off or a GOPROXY without the
//                   public proxy, logs `go: downloading` lines, writes go.sum
//   go test -json … -args <suite flags>
//                   parses the suite's flags as the suite does (conformance/utils/flags/flags.go), refuses missing
//                   implementation fields with --report-output (conformance.go, Implementation.Validate), checks the
//                   cluster's CRD bundle-version against the module's gateway-api version unless --allow-crds-mismatch
//                   (suite.go, getAPIVersionAndChannel), then plays back a run as test2json events on stdout:
//     $MESHSPEC_STUB_GO_TESTS     `Name=pass|fail|skip,...`: the tests and their outcome
//     $MESHSPEC_STUB_GO_REPORT    a ConformanceReport file copied to --report-output at the end
//     $MESHSPEC_STUB_GO_SCENARIO  `crash`: a panic on stderr halfway, exit 2, no report; `hang`: stops after the
//                                 first test starts and waits to be killed
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import yaml from 'js-yaml';

const env = process.env;
const PKG = 'meshspec.local/gamma-conformance';
const GO_ENV = ['GOPROXY', 'GOSUMDB', 'GOTOOLCHAIN', 'GONOSUMDB', 'GOINSECURE', 'GOPRIVATE', 'GONOPROXY', 'GOFLAGS', 'GOROOT', 'KUBECONFIG'];

function ownVersion() {
  const versionFile = join(dirname(dirname(process.argv[1])), 'VERSION');
  if (existsSync(versionFile)) return readFileSync(versionFile, 'utf8').split('\n')[0].replace(/^go/, '');
  return env.MESHSPEC_STUB_GO_VERSION ?? '1.26.6';
}

function record(argv) {
  if (!env.MESHSPEC_STUB_LOG) return;
  const goModPath = join(process.cwd(), 'go.mod');
  const line = {
    tool: 'go',
    argv,
    cwd: process.cwd(),
    self: process.argv[1],
    env: Object.fromEntries(GO_ENV.map((k) => [k, env[k] ?? null])),
    goMod: argv[0] === 'version' || !existsSync(goModPath) ? null : readFileSync(goModPath, 'utf8'),
    testGo: argv[0] === 'version' || !existsSync(join(process.cwd(), 'conformance_test.go')) ? null : readFileSync(join(process.cwd(), 'conformance_test.go'), 'utf8'),
  };
  appendFileSync(env.MESHSPEC_STUB_LOG, `${JSON.stringify(line)}\n`);
}

const cmp = (a, b) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

function moduleInfo() {
  const mod = readFileSync(join(process.cwd(), 'go.mod'), 'utf8');
  return { go: /^go (\S+)$/m.exec(mod)?.[1] ?? '1.21', gatewayApi: /sigs\.k8s\.io\/gateway-api (v\S+)/.exec(mod)?.[1] };
}

function toolchainCheck() {
  const { go } = moduleInfo();
  const mine = ownVersion();
  if (cmp(go, mine) <= 0) return 0;
  const mode = env.GOTOOLCHAIN ?? 'auto';
  if (mode === 'local') {
    process.stderr.write(`go: go.mod requires go >= ${go} (running go ${mine}; GOTOOLCHAIN=local)\n`);
    return 1;
  }
  process.stderr.write(`go: downloading go${go} (linux/amd64)\n`);
  return 0;
}

function modTidy() {
  if (!existsSync(join(process.cwd(), 'go.mod'))) {
    process.stderr.write('go: go.mod file not found in current directory or any parent directory\n');
    return 1;
  }
  if (env.GOSUMDB === 'off' || !(env.GOPROXY ?? '').includes('https://proxy.golang.org')) {
    process.stderr.write('stub go: refusing to resolve modules without the public proxy and checksum database\n');
    return 1;
  }
  const code = toolchainCheck();
  if (code !== 0) return code;
  const { gatewayApi } = moduleInfo();
  process.stderr.write(`go: downloading sigs.k8s.io/gateway-api ${gatewayApi}\ngo: downloading sigs.k8s.io/gateway-api/conformance ${gatewayApi}\n`);
  writeFileSync(join(process.cwd(), 'go.sum'), `sigs.k8s.io/gateway-api ${gatewayApi} h1:stub=\n`);
  return 0;
}

function suiteFlags(args) {
  const flags = {};
  for (const a of args) {
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(a);
    if (!m) throw new Error(`flag provided but not defined: ${a}`);
    flags[m[1]] = m[2] ?? 'true';
  }
  return flags;
}

async function kube(method, path, body) {
  const config = yaml.load(readFileSync(env.KUBECONFIG, 'utf8'));
  const ctx = config.contexts.find((c) => c.name === config['current-context']).context;
  const server = config.clusters.find((c) => c.name === ctx.cluster).cluster.server;
  const token = config.users.find((u) => u.name === ctx.user)?.user?.token;
  const res = await fetch(`${server}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

async function crdBundleVersions() {
  const list = (await kube('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).json;
  return new Set(list.items.map((c) => c.metadata.annotations?.['gateway.networking.k8s.io/bundle-version']).filter(Boolean));
}

class Events {
  constructor() {
    this.t0 = Date.now();
  }
  emit(e) {
    process.stdout.write(`${JSON.stringify({ Time: new Date().toISOString(), ...e, Package: PKG })}\n`);
  }
  out(test, text) {
    this.emit({ Action: 'output', ...(test ? { Test: test } : {}), Output: text });
  }
  elapsed() {
    return (Date.now() - this.t0) / 1000;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function goTest(argv) {
  const argsAt = argv.indexOf('-args');
  const flags = suiteFlags(argsAt < 0 ? [] : argv.slice(argsAt + 1));
  const code = toolchainCheck();
  if (code !== 0) return code;
  if (!existsSync(join(process.cwd(), 'go.sum'))) {
    process.stderr.write('conformance_test.go:6:2: missing go.sum entry for module providing package sigs.k8s.io/gateway-api/conformance; to add:\n\tgo get sigs.k8s.io/gateway-api/conformance\n');
    return 1;
  }
  const ev = new Events();
  ev.emit({ Action: 'start' });
  ev.emit({ Action: 'run', Test: 'TestConformance' });
  ev.out('TestConformance', '=== RUN   TestConformance\n');
  const failTop = (message) => {
    ev.out('TestConformance', `    conformance.go:93: \n        \tError Trace:\tconformance.go:93\n        \tError:      \tReceived unexpected error:\n        \t            \t${message}\n`);
    ev.out('TestConformance', `--- FAIL: TestConformance (${ev.elapsed().toFixed(2)}s)\n`);
    ev.emit({ Action: 'fail', Test: 'TestConformance', Elapsed: ev.elapsed() });
    ev.out(undefined, `FAIL\n`);
    ev.out(undefined, `FAIL\t${PKG}\t${ev.elapsed().toFixed(3)}s\n`);
    ev.emit({ Action: 'fail', Elapsed: ev.elapsed() });
    return 1;
  };
  if (flags['report-output'] !== undefined) {
    if (!isAbsolute(flags['report-output'])) return failTop(`stub: --report-output ${flags['report-output']} is relative to the module cache`);
    for (const f of ['organization', 'project', 'url', 'version', 'contact']) {
      if (!flags[f]) return failTop(`supplied Implementation details are not valid: implementation's ${f} cannot be empty`);
    }
  }
  const versions = await crdBundleVersions();
  const { gatewayApi } = moduleInfo();
  if (flags['allow-crds-mismatch'] !== 'true') {
    if (versions.size === 0) return failTop('no Gateway API CRDs with the proper annotations found in the cluster');
    if (versions.size > 1) return failTop('multiple gateway API CRDs versions detected');
    if (![...versions][0] || [...versions][0] !== gatewayApi) return failTop('the installed CRDs version is different from the suite version');
  }

  // The suite's mesh base manifests (conformance/mesh/manifests.yaml): its namespaces, with the injection marker.
  const kv = (text) => Object.fromEntries((text ?? '').split(',').filter(Boolean).map((p) => p.split('=')));
  for (const name of ['gateway-conformance-mesh', 'gateway-conformance-mesh-consumer']) {
    const metadata = { name, labels: { 'gateway-conformance': name === 'gateway-conformance-mesh' ? 'mesh' : 'mesh-consumer', ...kv(flags['namespace-labels']) }, annotations: kv(flags['namespace-annotations']) };
    const res = await kube('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata });
    if (res.status >= 300 && res.status !== 409) return failTop(`creating namespace ${name}: HTTP ${res.status}`);
  }

  const tests = (env.MESHSPEC_STUB_GO_TESTS ?? '').split(',').filter(Boolean).map((t) => t.split('='));
  let failed = false;
  for (const [i, [name, outcome]] of tests.entries()) {
    const test = `TestConformance/${name}`;
    ev.emit({ Action: 'run', Test: test });
    ev.out(test, `=== RUN   ${test}\n`);
    if (env.MESHSPEC_STUB_GO_SCENARIO === 'hang') {
      ev.out(test, `    mesh.go:41: waiting for the echo pods in gateway-conformance-mesh\n`);
      await sleep(3_600_000);
    }
    if (env.MESHSPEC_STUB_GO_SCENARIO === 'crash' && i === 1) {
      process.stderr.write(`panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1b2c3d4]\n\ngoroutine 42 [running]:\nsigs.k8s.io/gateway-api/conformance/utils/echo.(*MeshPod).MakeRequestAndExpectEventuallyConsistentResponse(...)\n`);
      return 2;
    }
    if (outcome === 'skip') {
      ev.out(test, `    conformance.go:56: Skipping ${name}: suite does not support the feature\n`);
      ev.out(test, `--- SKIP: ${test} (0.00s)\n`);
      ev.emit({ Action: 'skip', Test: test, Elapsed: 0 });
    } else if (outcome === 'fail') {
      failed = true;
      ev.out(test, `    weight.go:88: \n        \tError Trace:\tweight.go:88\n        \tError:      \tReceived unexpected error:\n        \t            \tgot 61/39 split, want 70/30 within 5%\n`);
      ev.out(test, `--- FAIL: ${test} (1.50s)\n`);
      ev.emit({ Action: 'fail', Test: test, Elapsed: 1.5 });
    } else {
      ev.out(test, `--- PASS: ${test} (0.50s)\n`);
      ev.emit({ Action: 'pass', Test: test, Elapsed: 0.5 });
    }
  }
  if (flags['report-output'] && env.MESHSPEC_STUB_GO_REPORT) {
    copyFileSync(env.MESHSPEC_STUB_GO_REPORT, flags['report-output']);
    ev.out('TestConformance', `    conformance.go:108: Conformance report:\n        ${readFileSync(env.MESHSPEC_STUB_GO_REPORT, 'utf8').split('\n')[0]}\n`);
  }
  const verdict = failed ? 'FAIL' : 'PASS';
  ev.out('TestConformance', `--- ${verdict}: TestConformance (${ev.elapsed().toFixed(2)}s)\n`);
  ev.emit({ Action: failed ? 'fail' : 'pass', Test: 'TestConformance', Elapsed: ev.elapsed() });
  ev.out(undefined, `${verdict}\n`);
  ev.out(undefined, `${failed ? 'FAIL' : 'ok  '}\t${PKG}\t${ev.elapsed().toFixed(3)}s\n`);
  ev.emit({ Action: failed ? 'fail' : 'pass', Elapsed: ev.elapsed() });
  return failed ? 1 : 0;
}

export async function runGo(argv) {
  record(argv);
  if (argv[0] === 'version') {
    process.stdout.write(`go version go${ownVersion()} linux/amd64\n`);
    return 0;
  }
  if (argv[0] === 'mod' && argv[1] === 'tidy') return modTidy();
  if (argv[0] === 'test') return goTest(argv);
  process.stderr.write(`stub go: unsupported command ${argv.join(' ')}\n`);
  return 2;
}
