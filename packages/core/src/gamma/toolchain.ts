import { existsSync } from 'node:fs';
import path from 'node:path';
import { findOnPath, runCommand } from '../exec.js';
import { inputError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The Go that builds and runs the suite. Everything it fetches is verified by go.sum and Go's
 * checksum database, so the run forces the public proxy and sumdb and clears what would weaken
 * them. A matching Go is used when one is present (ubuntu-latest ships 1.24 as `go` and keeps
 * 1.26 at $GOROOT_1_26_X64: actions/runner-images toolsets/toolset-2404.json); otherwise
 * GOTOOLCHAIN=auto has the local go fetch the exact toolchain the module asks for, through the
 * same proxy and checked against sum.golang.org (https://go.dev/doc/toolchain#download).
 */
export interface GoToolchain {
  /** The go executable. */
  go: string;
  /** Its version, e.g. 1.26.6. */
  version: string;
  /** The environment for every go command of the run. */
  env: NodeJS.ProcessEnv;
  /** One sentence for the log: which Go and why. */
  choice: string;
}

/** Settings that would let a module or toolchain skip checksum verification or the proxy. */
const CLEARED_GO_ENV = ['GONOSUMDB', 'GOINSECURE', 'GOPRIVATE', 'GONOPROXY', 'GOFLAGS'] as const;
const GO_PROXY = 'https://proxy.golang.org,direct';
const GO_SUMDB = 'sum.golang.org';
/** GOTOOLCHAIN switching exists from Go 1.21 on. */
const MIN_GO = '1.21.0';

function cmp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** `go version go1.26.6 linux/amd64` → 1.26.6; `go1.21rc2` → 1.21.0. */
function parseGoVersion(output: string): string | undefined {
  const m = /\bgo(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  return m ? `${m[1]}.${m[2]}.${m[3] ?? 0}` : undefined;
}

async function goVersion(go: string, env: NodeJS.ProcessEnv, logger: Logger, signal?: AbortSignal): Promise<string | undefined> {
  // GOTOOLCHAIN=local: ask the binary itself, without it switching to another toolchain.
  const r = await runCommand(go, ['version'], { logger, env: { ...env, GOTOOLCHAIN: 'local' }, signal, echo: 'none', captureStdout: true });
  return r.code === 0 ? parseGoVersion(r.stdout) : undefined;
}

const NEED_SETUP_GO = 'add `- uses: actions/setup-go@v6` with `go-version: stable` before this step (or install Go 1.21 or newer on PATH)';

/**
 * Picks the Go for a suite that needs `required` (undefined: unknown, let GOTOOLCHAIN=auto decide).
 * A missing go, or one older than 1.21, is an input error naming actions/setup-go.
 */
export async function resolveGoToolchain(options: { env: NodeJS.ProcessEnv; required?: string; arch: string; logger: Logger; signal?: AbortSignal }): Promise<GoToolchain> {
  const { env, required, logger, signal } = options;
  const forced: NodeJS.ProcessEnv = { ...env, GOPROXY: GO_PROXY, GOSUMDB: GO_SUMDB };
  for (const k of CLEARED_GO_ENV) delete forced[k];

  if (required) {
    const [major, minor] = required.split('.');
    const rootVar = `GOROOT_${major}_${minor}_${options.arch === 'arm64' ? 'ARM64' : 'X64'}`;
    const root = env[rootVar];
    const candidate = root ? path.join(root, 'bin', 'go') : undefined;
    if (candidate && existsSync(candidate)) {
      const version = await goVersion(candidate, forced, logger, signal);
      if (version && cmp(version, required) >= 0) {
        return {
          go: candidate,
          version,
          env: { ...forced, GOROOT: root, PATH: `${path.dirname(candidate)}${path.delimiter}${env.PATH ?? ''}`, GOTOOLCHAIN: 'local' },
          choice: `Go ${version} from $${rootVar} (the suite needs ${required})`,
        };
      }
    }
  }

  const go = findOnPath('go', env);
  if (!go) throw inputError(`go is not on PATH: the Gateway API conformance suite is a Go test; ${NEED_SETUP_GO}`);
  const version = await goVersion(go, forced, logger, signal);
  if (!version) throw inputError(`${go} did not report its version (\`go version\` failed); ${NEED_SETUP_GO}`);
  if (cmp(version, MIN_GO) < 0) throw inputError(`${go} is Go ${version}, older than 1.21, which cannot fetch the toolchain the suite needs; ${NEED_SETUP_GO}`);
  if (required && cmp(version, required) >= 0) {
    return { go, version, env: { ...forced, GOTOOLCHAIN: 'local' }, choice: `Go ${version} from PATH (the suite needs ${required})` };
  }
  return {
    go,
    version,
    env: { ...forced, GOTOOLCHAIN: 'auto' },
    choice: required
      ? `Go ${version} from PATH is older than the ${required} the suite needs: GOTOOLCHAIN=auto fetches go${required} from ${GO_PROXY.split(',')[0]}, checked against ${GO_SUMDB}`
      : `Go ${version} from PATH, with GOTOOLCHAIN=auto (the toolchain the module asks for is fetched from ${GO_PROXY.split(',')[0]}, checked against ${GO_SUMDB})`,
  };
}
