#!/usr/bin/env node
// Prints the CHANGELOG.md section of one version, for the release notes of its tag
// (.github/workflows/release.yml). Exits 1, saying what to do, when the section is missing or
// empty: a release without notes is refused rather than published blank.
//
//   node scripts/changelog-section.mjs v1.2.0 [CHANGELOG.md]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * @param {string} text the changelog
 * @param {string} tag `v1.2.0` or `1.2.0`
 * @returns {string} the section's body, trimmed
 */
export function changelogSection(text, tag) {
  const version = tag.replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) throw new Error(`"${tag}" is not a version tag such as v1.2.0`);
  const lines = text.split(/\r?\n/);
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const head = new RegExp(`^## \\[${escaped}\\](?: - \\d{4}-\\d{2}-\\d{2})?\\s*$`);
  const start = lines.findIndex((l) => head.test(l));
  if (start < 0) throw new Error(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section: move the Unreleased entries under it, commit, and tag again`);
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  // Link reference definitions at the end belong to the whole file, not to the last section.
  const body = lines.slice(start + 1, end).filter((l) => !/^\[[^\]]+\]: /.test(l)).join('\n').trim();
  if (body === '') throw new Error(`the CHANGELOG.md section of ${version} is empty`);
  return body;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [tag, file = 'CHANGELOG.md'] = process.argv.slice(2);
  try {
    if (!tag) throw new Error('usage: changelog-section.mjs <tag> [CHANGELOG.md]');
    process.stdout.write(`${changelogSection(readFileSync(file, 'utf8'), tag)}\n`);
  } catch (error) {
    process.stderr.write(`changelog-section: ${error.message}\n`);
    process.exit(1);
  }
}
