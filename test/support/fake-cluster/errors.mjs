// Kubernetes `Status` bodies, shaped as kube-apiserver sends them.
//
// Handlers throw an ApiError; the server turns it into
//   { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }

export class ApiError extends Error {
  /**
   * @param {number} code HTTP status
   * @param {string} reason StatusReason, e.g. 'NotFound'
   * @param {string} message
   * @param {Record<string, unknown>} [details]
   */
  constructor(code, reason, message, details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus() {
    /** @type {Record<string, unknown>} */
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason };
    if (this.details) status.details = this.details;
    status.code = this.code;
    return status;
  }
}

/**
 * How kube-apiserver names a resource in messages: `pods`, `deployments.apps`, `traffictargets.access.smi-spec.io`.
 * @param {{ group: string, resource: string }} gr
 */
function qualifiedResource({ group, resource }) {
  return group ? `${resource}.${group}` : resource;
}

/** @param {{ group: string, resource: string }} gr */
function detailsFor(gr, name) {
  /** @type {Record<string, unknown>} */
  const d = { name };
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export const errors = {
  notFound: (gr, name) => new ApiError(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, detailsFor(gr, name)),
  alreadyExists: (gr, name) =>
    new ApiError(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, detailsFor(gr, name)),
  conflict: (gr, name, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`, detailsFor(gr, name)),
  /**
   * @param {{ group: string, kind: string }} gk
   * @param {string} name
   * @param {Array<{ type: string, field: string, detail: string }>} causes
   */
  invalid: (gk, name, causes) => {
    const texts = causes.map((c) => `${c.field}: ${c.detail}`);
    const what = gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
    const message = `${what} "${name}" is invalid: ${texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`}`;
    /** @type {Record<string, unknown>} */
    const details = { name };
    if (gk.group) details.group = gk.group;
    details.kind = gk.kind;
    details.causes = causes.map((c) => ({ reason: c.type, message: c.detail, field: c.field }));
    return new ApiError(422, 'Invalid', message, details);
  },
  badRequest: (message) => new ApiError(400, 'BadRequest', message),
  forbidden: (gr, name, why) =>
    new ApiError(403, 'Forbidden', `${qualifiedResource(gr)} "${name}" is forbidden: ${why}`, detailsFor(gr, name)),
  unsupportedMediaType: (accepted) =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    ),
  methodNotAllowed: (method) =>
    new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {}),
  notFoundPath: () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {}),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  serviceUnavailable: (message = 'the server is currently unable to handle the request') =>
    new ApiError(503, 'ServiceUnavailable', message),
  gone: (message) => new ApiError(410, 'Expired', message),
  internal: (message) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
};

/** Field error helpers, as apimachinery's field.ErrorList prints them. */
export const fieldErrors = {
  required: (field, detail = '') => ({ type: 'FieldValueRequired', field, detail: detail ? `Required value: ${detail}` : 'Required value' }),
  invalid: (field, value, detail) => ({ type: 'FieldValueInvalid', field, detail: `Invalid value: ${goValue(value)}: ${detail}` }),
  /** As `invalid`, with the value printed as given (e.g. Go's `0x0`). */
  invalidRaw: (field, text, detail) => ({ type: 'FieldValueInvalid', field, detail: `Invalid value: ${text}: ${detail}` }),
  typeInvalid: (field, value, detail) => ({ type: 'FieldValueTypeInvalid', field, detail: `Invalid value: ${goValue(value)}: ${detail}` }),
  notSupported: (field, value, allowed) => ({
    type: 'FieldValueNotSupported',
    field,
    detail: `Unsupported value: ${goValue(value)}: supported values: ${allowed.map((a) => goValue(a)).join(', ')}`,
  }),
  forbidden: (field, detail) => ({ type: 'FieldValueForbidden', field, detail: `Forbidden: ${detail}` }),
  duplicate: (field, value) => ({ type: 'FieldValueDuplicate', field, detail: `Duplicate value: ${goValue(value)}` }),
};

function goValue(v) {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
