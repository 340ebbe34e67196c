/**
 * smp-action's committed bundle with compare_without_mesh: what it refuses before any cluster is
 * touched, as the CLI does (test/overhead/cli.test.ts), with the action's own input names.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runActionBundle } from '../support/action-runner.mjs';

const bundle = resolve(import.meta.dirname, '../../smp-action/dist/index.js');

describe('smp-action with compare_without_mesh', () => {
  it('refuses load from the runner, naming the input and saying to set internal: true (failure_kind input)', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'meshspec-ws-overhead-'));
    writeFileSync(join(ws, 'p.yaml'), "test:\n  name: o\n  duration: 2s\n  clients:\n    - internal: false\n      connections: 2\n      rps: 10\n      endpoint_urls: ['http://sample-app:9091/echo']\n");
    const r = await runActionBundle({ bundle, workspace: ws, inputs: { profile_filename: 'p.yaml', service_mesh: 'linkerd', compare_without_mesh: 'true', upload_artifact: 'false' }, timeoutMs: 60_000 });
    expect(r.outputs.failure_kind, `${r.stdout}\n${r.stderr}`).toBe('input');
    expect(r.stdout).toMatch(/::error::input compare_without_mesh: .*p\.yaml: clients\[0\] loads from the runner.*Set internal: true on the clients/);
  });

  it('refuses service_manifest without compare_without_mesh', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'meshspec-ws-overhead-'));
    writeFileSync(join(ws, 'p.yaml'), "test:\n  name: o\n  duration: 1s\n  clients:\n    - connections: 1\n      endpoint_urls: ['http://127.0.0.1:9/']\n");
    const r = await runActionBundle({ bundle, workspace: ws, inputs: { profile_filename: 'p.yaml', service_manifest: 'svc.yaml', upload_artifact: 'false' }, timeoutMs: 60_000 });
    expect(r.outputs.failure_kind).toBe('input');
    expect(r.stdout).toMatch(/input service_manifest: the service is deployed only for a comparison; set compare_without_mesh: true/);
  });
});
