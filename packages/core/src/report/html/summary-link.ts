import { escapeMd } from '../format.js';
import { REPORT_FILE } from './index.js';

/**
 * The job summary's pointer to report.html. A job summary cannot embed the page or link into an
 * artifact's files, so it names both: the artifact to download (linked when it was uploaded) and
 * the file inside it.
 */
export function reportLinkMarkdown(where: { artifact?: { name: string; url?: string }; outDir: string }): string {
  const file = `\`${REPORT_FILE}\``;
  if (!where.artifact) return `📊 **The report page**: ${file} in ${escapeMd(where.outDir)} on the runner (no artifact was uploaded). Open it in a browser; \`meshspec report DIR\` makes it again from the result files.\n`;
  const name = where.artifact.url ? `[${escapeMd(where.artifact.name)}](${where.artifact.url})` : `**${escapeMd(where.artifact.name)}**`;
  return `📊 **The report page**: download the artifact ${name} and open ${file} in a browser; it works offline, from disk.\n`;
}
