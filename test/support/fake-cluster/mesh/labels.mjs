// Label selectors, as Kubernetes applies them. Three shapes occur:
// - a Service's `spec.selector`: a plain map; an empty or missing one selects nothing
//   (such a Service has no endpoints unless someone writes them by hand);
// - a Deployment's `spec.selector`: a LabelSelector with matchLabels and matchExpressions;
// - a `?labelSelector=` query string: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.

/**
 * @param {Record<string, string> | undefined | null} selector a Service selector
 * @param {Record<string, string> | undefined} labels
 */
export function serviceSelects(selector, labels) {
  if (!selector || Object.keys(selector).length === 0) return false;
  const have = labels ?? {};
  return Object.entries(selector).every(([k, v]) => have[k] === v);
}

/**
 * @param {{ matchLabels?: Record<string,string>, matchExpressions?: Array<{key:string, operator:string, values?:string[]}> } | undefined} selector
 * @param {Record<string, string> | undefined} labels
 */
export function labelSelectorMatches(selector, labels) {
  if (!selector) return false;
  const have = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (have[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    if (!requirementHolds({ key: e.key, op: e.operator, values: e.values ?? [] }, have)) return false;
  }
  return true;
}

/**
 * Parses a `labelSelector` query value. Throws on syntax it does not understand, so a caller can
 * answer 400 as a real API server does.
 * @param {string} text
 * @returns {(labels: Record<string,string> | undefined) => boolean}
 */
export function parseLabelSelector(text) {
  /** @type {Array<{key: string, op: string, values: string[]}>} */
  const reqs = [];
  for (const part of splitTopLevel(text.trim())) {
    const s = part.trim();
    if (!s) continue;
    let m;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(s))) {
      reqs.push({ key: m[1], op: m[2] === 'in' ? 'In' : 'NotIn', values: m[3].split(',').map((v) => v.trim()) });
    } else if ((m = /^([\w./-]+)\s*(!=|==|=)\s*([\w./-]*)$/.exec(s))) {
      reqs.push({ key: m[1], op: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]] });
    } else if ((m = /^!([\w./-]+)$/.exec(s))) {
      reqs.push({ key: m[1], op: 'DoesNotExist', values: [] });
    } else if ((m = /^([\w./-]+)$/.exec(s))) {
      reqs.push({ key: m[1], op: 'Exists', values: [] });
    } else {
      throw new Error(`unable to parse requirement: ${JSON.stringify(s)}`);
    }
  }
  return (labels) => reqs.every((r) => requirementHolds(r, labels ?? {}));
}

/** @param {{key:string, op:string, values:string[]}} r @param {Record<string,string>} have */
function requirementHolds(r, have) {
  const present = Object.prototype.hasOwnProperty.call(have, r.key);
  switch (r.op) {
    case 'In':
      return present && r.values.includes(have[r.key]);
    case 'NotIn':
      return !present || !r.values.includes(have[r.key]);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}

/** Splits on commas that are not inside parentheses. @param {string} s */
function splitTopLevel(s) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
