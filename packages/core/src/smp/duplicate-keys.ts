import yaml from 'js-yaml';

/**
 * Where a duplicated mapping key sits, as a JSON path (`$.test.clients[0].rps`).
 *
 * js-yaml 4 refuses a mapping that holds a key twice (lib/loader.js, storeMappingPair: "duplicated
 * mapping key", unless `json: true`), but its error names only the line. This replays the parse
 * with js-yaml's `listener`, which reports every node as it opens and closes, so the nodes still
 * open when the error is thrown are the duplicate's ancestors: a mapping's last closed child is the
 * key whose value is open, a sequence's count of closed children is the open item's index.
 * Undefined when the text has no duplicated key.
 */
export function duplicateKeyPath(text: string): string | undefined {
  const open: Array<{ start: number; children: unknown[] }> = [];
  try {
    yaml.load(text, {
      listener(event, state) {
        if (event === 'open') open.push({ start: state.position, children: [] });
        else {
          open.pop();
          open.at(-1)?.children.push(state.result);
        }
      },
    });
    return undefined;
  } catch (error) {
    if ((error as yaml.YAMLException).reason !== 'duplicated mapping key' || open.length === 0) return undefined;
  }
  // The innermost open node is the mapping being built; its last two children are the second key and its value.
  const holder = open.at(-1)!;
  const steps = open.slice(0, -1).map((f) => {
    if (isSequenceAt(text, f.start)) return `[${f.children.length}]`;
    // A mapping whose value is open has closed its key: an odd count. An even one is a node that
    // only wraps the next (js-yaml opens the root twice when it is a flow collection).
    return f.children.length % 2 === 1 ? keyStep(f.children.at(-1)) : '';
  });
  return `$${steps.join('')}${keyStep(holder.children.at(-2))}`;
}

function keyStep(key: unknown): string {
  const k = String(key);
  return /^[A-Za-z_][\w-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

/** A node starting at `at` is a sequence: after blanks, comments, an anchor or a tag comes `- ` or `[`. */
function isSequenceAt(text: string, at: number): boolean {
  const rest = text.slice(at).replace(/^(?:\s+|#[^\n]*|[&!]\S*)*/, '');
  return rest.startsWith('[') || /^-(\s|$)/.test(rest);
}
