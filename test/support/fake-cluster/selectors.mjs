// Label selectors (equality and set-based, as `labelSelector=` and LabelSelector objects) and field selectors.

/**
 * @typedef {{ key: string, op: 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt', values: string[] }} Requirement
 * @typedef {string | Record<string, string> | { matchLabels?: Record<string, string>, matchExpressions?: Array<{ key: string, operator: string, values?: string[] }> }} LabelSelectorInput
 */

export class SelectorError extends Error {}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Parses and compiles a selector into a list of requirements (all must hold).
 * @param {LabelSelectorInput | undefined | null} input
 * @returns {Requirement[]}
 */
export function compileLabelSelector(input) {
  if (input === undefined || input === null || input === '') return [];
  if (typeof input === 'string') return parseLabelSelector(input);
  if ('matchLabels' in input || 'matchExpressions' in input) {
    const sel = /** @type {{ matchLabels?: Record<string, string>, matchExpressions?: Array<{ key: string, operator: string, values?: string[] }> }} */ (input);
    /** @type {Requirement[]} */
    const reqs = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: 'in', values: [String(v)] }));
    for (const e of sel.matchExpressions ?? []) {
      const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' }[e.operator];
      if (!op) throw new SelectorError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
      reqs.push({ key: e.key, op: /** @type {Requirement['op']} */ (op), values: e.values ?? [] });
    }
    return reqs;
  }
  return Object.entries(/** @type {Record<string, string>} */ (input)).map(([key, v]) => ({ key, op: 'in', values: [String(v)] }));
}

/**
 * @param {Requirement[]} reqs
 * @param {Record<string, string> | undefined} labels
 */
export function matchesLabels(reqs, labels) {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
        return has && Number(l[r.key]) > Number(r.values[0]);
      case 'lt':
        return has && Number(l[r.key]) < Number(r.values[0]);
      default:
        return false;
    }
  });
}

/**
 * The string syntax of `kubectl -l` and `?labelSelector=`.
 * @param {string} text
 * @returns {Requirement[]}
 */
function parseLabelSelector(text) {
  /** @type {Requirement[]} */
  const reqs = [];
  for (const part of splitTopLevel(text)) {
    const s = part.trim();
    if (!s) throw new SelectorError(`unable to parse requirement: found '', expected: identifier`);
    let m;
    if ((m = /^!\s*(\S+)$/.exec(s))) reqs.push({ key: checkKey(m[1]), op: '!', values: [] });
    else if ((m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(s))) {
      const values = m[3].split(',').map((v) => checkValue(v.trim()));
      reqs.push({ key: checkKey(m[1]), op: /** @type {'in'|'notin'} */ (m[2]), values });
    } else if ((m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/.exec(s))) {
      const op = m[2] === '!=' ? 'notin' : m[2] === '>' ? 'gt' : m[2] === '<' ? 'lt' : 'in';
      reqs.push({ key: checkKey(m[1]), op, values: [checkValue(m[3])] });
    } else if ((m = /^(\S+)$/.exec(s))) reqs.push({ key: checkKey(m[1]), op: 'exists', values: [] });
    else throw new SelectorError(`unable to parse requirement: ${JSON.stringify(s)}`);
  }
  return reqs;
}

function splitTopLevel(text) {
  const parts = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

function checkKey(k) {
  if (!KEY.test(k) || k.split('/').pop().length > 63) {
    throw new SelectorError(`unable to parse requirement: <nil>: Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return k;
}

function checkValue(v) {
  if (!VALUE.test(v) || v.length > 63) {
    throw new SelectorError(`unable to parse requirement: values[0]: Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return v;
}

/**
 * Field selectors: `a=b`, `a==b`, `a!=b`, comma-separated.
 * @param {string | undefined} text
 * @returns {Array<{ field: string, value: string, negate: boolean }>}
 */
export function parseFieldSelector(text) {
  if (!text) return [];
  return text.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${part}'`);
    return { field: m[1], value: m[3], negate: m[2] === '!=' };
  });
}

/**
 * @param {Array<{ field: string, value: string, negate: boolean }>} reqs
 * @param {Record<string, any>} obj
 */
export function matchesFields(reqs, obj) {
  return reqs.every((r) => {
    let v = obj;
    for (const p of r.field.split('.')) v = v == null ? undefined : v[p];
    const s = v === undefined || v === null ? '' : String(v);
    return r.negate ? s !== r.value : s === r.value;
  });
}
