// Every workflow validates against SchemaStore's github-workflow.json and follows our rules:
// least-privilege permissions, third-party actions pinned by full commit SHA, and inputs to our own
// actions that those actions declare. The e2e matrix follows the mesh registry.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import Ajv07 from 'ajv';
import { describe, expect, it } from 'vitest';
import { MESHES } from '../packages/core/src/mesh/registry.js';
import { fixturePath } from './support/fixtures.mjs';

const root = resolve(import.meta.dirname, '..');
const workflowsDir = join(root, '.github', 'workflows');
type AjvCtor = typeof Ajv07.default;
const AjvClass: AjvCtor = (Ajv07 as unknown as { default: AjvCtor }).default ?? (Ajv07 as unknown as AjvCtor);

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  permissions?: unknown;
  jobs: Record<string, { permissions?: unknown; steps?: Step[]; strategy?: { matrix?: { include?: Record<string, unknown>[] } } }>;
}

/** The write scopes a job may have, and why; every other job and the top level are read-only. */
const WRITE_SCOPES: Record<string, Record<string, string[]>> = {
  // OIDC for the Sigstore certificate, and storing the attestation (actions/attest-build-provenance).
  'release.yml': { attest: ['id-token', 'attestations'], release: ['contents'] },
};

const files = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));
const load = (file: string) => yaml.load(readFileSync(join(workflowsDir, file), 'utf8')) as Workflow;

describe('.github/workflows', () => {
  // SchemaStore's schemas use keywords ajv's strict mode rejects (DESIGN.md, Conventions).
  const validate = new AjvClass({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(fixturePath('schemastore', 'github-workflow.json'), 'utf8')));

  it('has the workflows DESIGN.md lists', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'e2e.yml']));
  });

  describe.each(files)('%s', (file) => {
    const workflow = load(file);
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps ?? []);

    it('validates against SchemaStore github-workflow.json', () => {
      expect(validate(workflow), JSON.stringify(validate.errors, null, 2)).toBe(true);
    });

    it('declares least-privilege permissions: read at the top, each write scope in the one job that needs it', () => {
      expect(workflow.permissions, 'top-level permissions').toBeDefined();
      const levels = (p: unknown) => (typeof p === 'object' && p ? Object.entries(p as Record<string, string>) : []);
      for (const p of [workflow.permissions, ...Object.values(workflow.jobs).map((j) => j.permissions)]) {
        expect(p).not.toBe('write-all');
        expect(p).not.toBe('read-all');
      }
      for (const [scope, level] of levels(workflow.permissions)) expect(`${scope}: ${level}`).toMatch(/: (read|none)$/);
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const writes = levels(job.permissions).filter(([, level]) => level === 'write').map(([scope]) => scope).sort();
        expect(writes, `write scopes of job ${id}`).toEqual([...(WRITE_SCOPES[file]?.[id] ?? [])].sort());
      }
    });

    it('pins third-party actions by full commit SHA, with the version in a comment', () => {
      const text = readFileSync(join(workflowsDir, file), 'utf8');
      for (const step of steps.filter((s) => s.uses && !s.uses.startsWith('./'))) {
        expect(step.uses, 'owner/repo@<40 hex>').toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(text).toMatch(new RegExp(`${step.uses!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} # v\\d`));
      }
    });

    it('passes our actions only inputs they declare', () => {
      for (const step of steps.filter((s) => s.uses?.startsWith('./'))) {
        const actionFile = join(root, step.uses!, 'action.yml');
        expect(existsSync(actionFile), `${step.uses} has an action.yml`).toBe(true);
        const declared = Object.keys((yaml.load(readFileSync(actionFile, 'utf8')) as { inputs?: Record<string, unknown> }).inputs ?? {});
        const unknown = Object.keys(step.with ?? {}).filter((k) => !declared.includes(k));
        expect(unknown, `inputs ${step.uses}/action.yml does not declare`).toEqual([]);
      }
    });
  });
});

describe('examples/workflows (the README shows them verbatim)', () => {
  const dir = join(root, 'examples', 'workflows');
  const examples = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  const validate = new AjvClass({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(fixturePath('schemastore', 'github-workflow.json'), 'utf8')));
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it('has the perf gate, both release flows and the fork comment pattern', () => {
    expect(examples.sort()).toEqual(['fork-comment.yml', 'perf-gate.yml', 'release-draft.yml', 'release-published.yml']);
  });

  describe.each(examples)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const workflow = yaml.load(text) as Workflow;
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps ?? []);

    it('validates against SchemaStore, is read-only at the top level, and is in the README', () => {
      expect(validate(workflow), JSON.stringify(validate.errors, null, 2)).toBe(true);
      expect(workflow.permissions).toEqual({ contents: 'read' });
      expect(readme).toContain(text.trim());
    });

    it('uses our actions by path at v0 with inputs they declare, and pins every other action by SHA', () => {
      for (const step of steps.filter((s) => s.uses)) {
        const ours = /^meshspec\/meshspec\/([\w-]+)@v0$/.exec(step.uses!);
        if (!ours) {
          expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
          continue;
        }
        const declared = Object.keys((yaml.load(readFileSync(join(root, ours[1]!, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs);
        expect(Object.keys(step.with ?? {}).filter((k) => !declared.includes(k)), `${file}: inputs ${ours[1]} does not declare`).toEqual([]);
      }
    });

    it('grants each write scope a feature needs, in the job that uses it', () => {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const perms = (job.permissions ?? {}) as Record<string, string>;
        const withs = (job.steps ?? []).map((s) => s.with ?? {});
        if (withs.some((w) => w.attach_to_release === true)) expect(perms.contents, `${file} ${id}`).toBe('write');
        if (withs.some((w) => w.comment === true)) expect(perms['pull-requests'], `${file} ${id}`).toBe('write');
        if (withs.some((w) => w.baseline === 'artifact')) expect(perms.actions, `${file} ${id}`).toBe('read');
      }
    });
  });
});

describe('release.yml', () => {
  const release = load('release.yml') as Workflow & { on: { push: { tags: string[] } } };
  const jobs = release.jobs as Record<string, { needs?: string; steps?: Step[] }>;

  it('runs on v* tags: verify (dist fresh, tests), then attest, then release and the major tag', () => {
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
    expect(Object.keys(jobs)).toEqual(['verify', 'attest', 'release']);
    expect([jobs.attest!.needs, jobs.release!.needs]).toEqual(['verify', 'attest']);
    const run = (job: string) => (jobs[job]!.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(run('verify')).toContain('bash .ci/run');
    expect(run('verify')).toContain('node scripts/changelog-section.mjs "$TAG"');
    expect(jobs.attest!.steps!.map((s) => s.uses?.split('@')[0])).toContain('actions/attest-build-provenance');
    expect(jobs.attest!.steps!.find((s) => s.uses?.startsWith('actions/attest-build-provenance'))!.with).toEqual({ 'subject-path': '*/dist/index.js' });
    expect(run('release')).toContain('--notes-file "$RUNNER_TEMP/notes.md"');
    expect(run('release')).toContain('git push --force origin "refs/tags/$major"');
  });

  it('passes the tag to scripts through env, never by expanding ${{ }} inside a script', () => {
    for (const step of Object.values(jobs).flatMap((j) => j.steps ?? [])) expect(step.run ?? '').not.toMatch(/\$\{\{/);
  });
});

describe('e2e.yml', () => {
  const e2e = load('e2e.yml');
  const job = Object.values(e2e.jobs).find((j) => j.strategy?.matrix?.include)!;
  const entries = job.strategy!.matrix!.include! as { mesh: string; kubernetes_version: string }[];
  const steps = job.steps ?? [];

  it('runs on ubuntu-latest with real minikube and uses both actions by path', () => {
    expect(readFileSync(join(workflowsDir, 'e2e.yml'), 'utf8')).toContain('runs-on: ubuntu-latest');
    // smp-action twice: the profile against the sample app, then the mesh-overhead comparison (issue 12).
    expect(steps.map((s) => s.uses).filter((u) => u?.startsWith('./'))).toEqual(['./smi-conformance-action', './smp-action', './smp-action']);
    const smi = steps.find((s) => s.uses === './smi-conformance-action')!;
    expect(smi.with).toMatchObject({ cluster: 'minikube', fail_on_nonconformance: false });
  });

  it('compares the same load with and without the mesh from 2 load pods, with the image pulled first', () => {
    const i = steps.findIndex((s) => s.uses === './smp-action' && s.with?.compare_without_mesh !== undefined);
    expect(i).toBeGreaterThan(0);
    expect(steps[i]!.with).toMatchObject({ cluster: 'existing', compare_without_mesh: true, load_pods: 2 });
    expect(steps.slice(0, i).some((s) => s.run?.includes('preload-node'))).toBe(true);
    const profile = readFileSync(join(root, String(steps[i]!.with!.profile_filename)), 'utf8');
    expect(profile).toMatch(/internal: true/);
  });

  it('covers every mesh meshspec installs, on the Kubernetes version the registry knows works', () => {
    const installable = MESHES.filter((m) => m.installer);
    expect(entries.map((e) => e.mesh).sort()).toEqual(installable.map((m) => m.id).sort());
    for (const e of entries) expect(e.kubernetes_version, e.mesh).toBe(installable.find((m) => m.id === e.mesh)!.kubernetesVersion);
  });

  it('checks the SMI run against the table of expectations, for every mesh of the matrix, with nothing unverified', () => {
    const table = JSON.parse(readFileSync(join(root, '.github/e2e/smi-expectations.json'), 'utf8')) as { specs: string[]; meshes: Record<string, { version: string; kubernetes_version: string }> };
    expect(Object.keys(table.meshes).sort()).toEqual(entries.map((e) => e.mesh).sort());
    for (const e of entries) {
      const mesh = MESHES.find((m) => m.id === e.mesh)!;
      expect(table.meshes[e.mesh], e.mesh).toMatchObject({ version: mesh.defaultVersion, kubernetes_version: e.kubernetes_version });
    }
    const smi = steps.find((s) => s.uses === './smi-conformance-action')!;
    expect(smi.with).toMatchObject({ specs: table.specs.join(','), smi_version: 'auto' });
    expect(smi.with).not.toHaveProperty('allow_unverified_download');
    const check = steps.find((s) => s.run?.includes('check-smi.mjs'));
    expect(check?.run).toContain('node .github/e2e/check-smi.mjs "$RESULT" "$MESH"');
    expect(check?.env).toMatchObject({ MESH: '${{ matrix.mesh }}', RESULT: '${{ steps.smi.outputs.result_file }}' });
    // No score range survives anywhere in the matrix.
    for (const e of entries) expect(Object.keys(e).filter((k) => k.startsWith('expect_')), e.mesh).toEqual([]);
  });
});
