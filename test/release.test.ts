// Our own releases: CHANGELOG.md follows Keep a Changelog and gives each tag its notes
// (scripts/changelog-section.mjs, used by .github/workflows/release.yml); SECURITY.md says how to
// report and which versions are supported.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changelogSection } from '../scripts/changelog-section.mjs';

const root = resolve(import.meta.dirname, '..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');

describe('CHANGELOG.md', () => {
  const text = read('CHANGELOG.md');

  it('follows Keep a Changelog: an Unreleased section first, then versions with dates, newest first', () => {
    const heads = text.split('\n').filter((l) => l.startsWith('## '));
    expect(heads[0]).toBe('## [Unreleased]');
    const versions = heads.slice(1);
    for (const h of versions) expect(h).toMatch(/^## \[\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\] - \d{4}-\d{2}-\d{2}$/);
    for (const h of text.split('\n').filter((l) => l.startsWith('### '))) expect(h).toMatch(/^### (Added|Changed|Deprecated|Removed|Fixed|Security)$/);
  });

  const sample = ['# Changelog', '', '## [Unreleased]', '', '## [0.2.0] - 2026-12-10', '### Fixed', '- b', '', '## [0.1.0] - 2026-12-01', '### Added', '- a', '', '[0.2.0]: https://example.test/compare/v0.1.0...v0.2.0'].join('\n');

  it('gives a tag its own section as release notes', () => {
    expect(changelogSection(sample, 'v0.2.0')).toBe('### Fixed\n- b');
    expect(changelogSection(sample, 'v0.1.0')).toBe('### Added\n- a');
  });

  it('refuses a tag without a section, or with an empty one, saying what to do', () => {
    expect(() => changelogSection(sample, 'v0.3.0')).toThrow('CHANGELOG.md has no "## [0.3.0] - YYYY-MM-DD" section: move the Unreleased entries under it');
    expect(() => changelogSection('## [1.0.0] - 2026-01-01\n\n## [0.9.0] - 2025-01-01\n- x', 'v1.0.0')).toThrow('is empty');
    expect(() => changelogSection(sample, 'latest')).toThrow('not a version tag');
    // 0.1.0 must not match 0.1.01 or 0x1y0.
    expect(() => changelogSection('## [0x1y0] - 2026-01-01\n- x', 'v0.1.0')).toThrow('has no');
  });
});

describe('SECURITY.md', () => {
  it('says how to report privately and which versions are supported', () => {
    const text = read('SECURITY.md');
    expect(text).toContain('## Supported versions');
    expect(text).toContain('## Reporting a vulnerability');
    expect(text).toContain('Report a vulnerability');
    expect(text).toMatch(/do \*\*not\*\* open a public issue/);
  });
});
