// A local stand-in for the GitHub Actions artifact (results) service, good enough for the real
// @actions/artifact v6 client to upload to it: plain http on 127.0.0.1, no network.
//
// What the client does (node_modules/@actions/artifact/lib/internal/upload/upload-artifact.js):
//   1. decodes ACTIONS_RUNTIME_TOKEN (a JWT, never verified client side) and takes the backend ids
//      from its `scp` claim: "Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>";
//   2. POST <origin of ACTIONS_RESULTS_URL>/twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact
//      (JSON, proto field names, `Authorization: Bearer <token>`) -> { ok, signed_upload_url };
//   3. zips the files (archiver) and uploads the zip to the signed URL with @azure/storage-blob's
//      BlockBlobClient.uploadStream: one Put Block per 8 MiB chunk (`PUT ?comp=block&blockid=<b64>`),
//      then Put Block List (`PUT ?comp=blocklist`, an XML <BlockList>). It never sends a plain Put
//      Blob, but the fake accepts one too. The SDK retries 500/503 (first retry at once, then 4 s, 12 s);
//   4. POST .../FinalizeArtifact { name, size, hash: "sha256:<hex>" } -> { ok, artifact_id }.
// Twirp errors are JSON ({ code, msg }): the client retries 429/500/502/503/504 (3 s, 4.5 s, ...) and
// a body that is not JSON, so a fault meant to fail fast uses another status.
//
//   const svc = await startFakeArtifactService();
//   Object.assign(process.env, svc.env());            // or pass svc.env() to a child process
//   ... upload ...
//   svc.artifacts[0]   // { name, size, files: { 'dir/a.txt': Buffer }, finalized: true, ... }
//   await svc.close();
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { crc32, inflateRawSync } from 'node:zlib';

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';

/**
 * @typedef {object} FakeArtifact
 * @property {number} id
 * @property {string} name
 * @property {string} workflowRunBackendId
 * @property {string} workflowJobRunBackendId
 * @property {string | undefined} mimeType
 * @property {number | undefined} version
 * @property {string | undefined} expiresAt
 * @property {number} size the size of the uploaded blob (the zip), 0 until a block list is committed
 * @property {Record<string, Buffer>} files the zip's files by their path inside the zip, after FinalizeArtifact
 * @property {string[]} directories the zip's directory entries (empty directories of the upload)
 * @property {boolean} finalized
 * @property {string | undefined} hash the hash FinalizeArtifact was given ("sha256:<hex>")
 * @property {string | undefined} contentType the blob content type the uploader set
 * @property {Buffer | undefined} blob the committed blob (the zip as uploaded)
 * @property {Map<string, Buffer>} blocks staged, uncommitted blocks by block id
 */

/**
 * @typedef {object} FakeArtifactServiceOptions
 * @property {number | { status: number, times?: number }} [failCreate] CreateArtifact answers this status (a twirp error); `times` limits it to the first n calls
 * @property {number | { status?: number, times: number }} [failBlock] the first n Put Block requests fail (status 503 ServerBusy unless given)
 * @property {number | { status: number, times?: number }} [failFinalize] FinalizeArtifact answers this status
 * @property {string} [workflowRunBackendId]
 * @property {string} [workflowJobRunBackendId]
 */

/**
 * An unsigned JWT (alg "none") with the claims the client reads.
 * @param {string} runId @param {string} jobId
 */
export function runtimeTokenFor(runId, jobId) {
  const b64 = (/** @type {unknown} */ o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    scp: `Actions.ExampleScope Actions.Results:${runId}:${jobId}`,
    iss: 'meshspec-fake-artifact-service',
    nbf: now - 60,
    iat: now - 60,
    exp: now + 3600,
  };
  return `${b64({ typ: 'JWT', alg: 'none' })}.${b64(payload)}.`;
}

/**
 * Reads a zip from memory through its central directory: stored and deflated entries, no zip64,
 * no encryption. Every entry's CRC-32 and size are checked.
 * @param {Buffer} zip
 * @returns {{ files: Record<string, Buffer>, directories: string[] }}
 */
export function readZip(zip) {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip: no end of central directory record');
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  let p = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || p === 0xffffffff) throw new Error('zip64 archives are not supported by the fake');
  /** @type {Record<string, Buffer>} */
  const files = {};
  /** @type {string[]} */
  const directories = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry ${n}`);
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
    p += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) throw new Error(`${name}: encrypted entries are not supported`);
    if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) throw new Error(`${name}: zip64 entries are not supported by the fake`);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`${name}: bad local header`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    let data;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`${name}: compression method ${method} is not supported`);
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes, the directory says ${size}`);
    if (crc32(data) >>> 0 !== crc) throw new Error(`${name}: CRC-32 mismatch`);
    if (name.endsWith('/')) directories.push(name);
    else files[name] = data;
  }
  return { files, directories };
}

/** @param {http.IncomingMessage} req @returns {Promise<Buffer>} */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** @param {string} s */
const unescapeXml = (s) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[/** @type {'lt'} */ (e)]);

/**
 * A fault option: a number is the status (`numberIs: 'status'`, every call) or the count of calls
 * that fail (`numberIs: 'times'`, with the default status).
 * @param {number | { status?: number, times?: number } | undefined} fault
 * @param {'status' | 'times'} numberIs
 * @param {number} defaultStatus
 * @returns {{ status: number, times: number } | undefined}
 */
function faultOf(fault, numberIs, defaultStatus) {
  if (fault === undefined) return undefined;
  if (typeof fault === 'number') return numberIs === 'status' ? { status: fault, times: Infinity } : { status: defaultStatus, times: fault };
  return { status: fault.status ?? defaultStatus, times: fault.times ?? Infinity };
}

/** @param {FakeArtifactServiceOptions} [options] */
export async function startFakeArtifactService(options = {}) {
  const runId = options.workflowRunBackendId ?? randomUUID();
  const jobId = options.workflowJobRunBackendId ?? randomUUID();
  const runtimeToken = runtimeTokenFor(runId, jobId);
  const sig = randomBytes(16).toString('base64url');
  const faults = {
    create: faultOf(options.failCreate, 'status', 500),
    block: faultOf(options.failBlock, 'times', 503),
    finalize: faultOf(options.failFinalize, 'status', 500),
  };
  const counts = { create: 0, block: 0, finalize: 0 };
  /** @type {FakeArtifact[]} */
  const artifacts = [];
  /** Every request, in order: what the tests can assert the protocol with. @type {{ method: string, path: string, op: string, status: number }[]} */
  const requests = [];
  let nextId = 1;
  /** @type {string} */
  let url = '';

  /**
   * @param {http.ServerResponse} res @param {number} status @param {unknown} body
   */
  const json = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  /** A twirp error. @param {http.ServerResponse} res @param {number} status @param {string} code @param {string} msg */
  const twirpError = (res, status, code, msg) => json(res, status, { code, msg });

  /** Headers every Blob service response carries. @param {http.IncomingMessage} req */
  const blobHeaders = (req) => ({
    'x-ms-request-id': randomUUID(),
    'x-ms-version': String(req.headers['x-ms-version'] ?? '2025-01-05'),
    ...(req.headers['x-ms-client-request-id'] ? { 'x-ms-client-request-id': String(req.headers['x-ms-client-request-id']) } : {}),
    date: new Date().toUTCString(),
    server: 'Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0',
  });
  /** An Azure Storage error (XML). @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {number} status @param {string} code @param {string} message */
  const blobError = (req, res, status, code, message) => {
    const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`;
    res.writeHead(status, { ...blobHeaders(req), 'x-ms-error-code': code, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  /** A successful write (201 Created). @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {Record<string, string>} [extra] */
  const created = (req, res, extra = {}) => {
    res.writeHead(201, { ...blobHeaders(req), 'x-ms-request-server-encrypted': 'true', 'content-length': '0', ...extra });
    res.end();
  };

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {string} method @param {Buffer} body */
  const twirp = (req, res, method, body) => {
    if (req.method !== 'POST') return twirpError(res, 405, 'bad_route', 'twirp methods are POSTed');
    if (req.headers.authorization !== `Bearer ${runtimeToken}`) return twirpError(res, 401, 'unauthenticated', 'a valid runtime token is required');
    if (!String(req.headers['content-type']).startsWith('application/json')) return twirpError(res, 415, 'bad_route', 'the fake speaks JSON only');
    /** @type {Record<string, any>} */
    let msg;
    try {
      msg = JSON.parse(body.toString('utf8'));
    } catch {
      return twirpError(res, 400, 'malformed', 'the body is not JSON');
    }
    if (msg.workflow_run_backend_id !== runId || msg.workflow_job_run_backend_id !== jobId) {
      return twirpError(res, 403, 'permission_denied', 'the backend ids do not match the runtime token');
    }
    const name = msg.name;
    if (typeof name !== 'string' || name === '') return twirpError(res, 400, 'invalid_argument', 'name is required');

    if (method === 'CreateArtifact') {
      counts.create++;
      if (faults.create && counts.create <= faults.create.times) return twirpError(res, faults.create.status, 'internal', `injected CreateArtifact failure (${faults.create.status})`);
      if (artifacts.some((a) => a.name === name && a.finalized)) {
        return twirpError(res, 409, 'already_exists', `an artifact with this name already exists on the workflow run`);
      }
      // A new attempt before a finalize replaces the earlier, unfinished one, as the real service does.
      const stale = artifacts.findIndex((a) => a.name === name && !a.finalized);
      if (stale >= 0) artifacts.splice(stale, 1);
      /** @type {FakeArtifact} */
      const artifact = {
        id: nextId++,
        name,
        workflowRunBackendId: runId,
        workflowJobRunBackendId: jobId,
        mimeType: msg.mime_type,
        version: msg.version,
        expiresAt: msg.expires_at,
        size: 0,
        files: {},
        directories: [],
        finalized: false,
        hash: undefined,
        contentType: undefined,
        blob: undefined,
        blocks: new Map(),
      };
      artifacts.push(artifact);
      return json(res, 200, { ok: true, signed_upload_url: `${url}/upload/artifacts/${artifact.id}.zip?sv=2025-01-05&sp=cw&se=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}&sig=${sig}` });
    }

    if (method === 'FinalizeArtifact') {
      counts.finalize++;
      if (faults.finalize && counts.finalize <= faults.finalize.times) return twirpError(res, faults.finalize.status, 'internal', `injected FinalizeArtifact failure (${faults.finalize.status})`);
      const artifact = artifacts.find((a) => a.name === name && !a.finalized);
      if (!artifact) return twirpError(res, 404, 'not_found', `no artifact "${name}" was created`);
      if (!artifact.blob) return twirpError(res, 400, 'failed_precondition', 'nothing was uploaded');
      if (String(msg.size) !== String(artifact.blob.length)) {
        return twirpError(res, 400, 'invalid_argument', `size ${msg.size} does not match the ${artifact.blob.length} bytes uploaded`);
      }
      if (msg.hash !== undefined && msg.hash !== `sha256:${createHash('sha256').update(artifact.blob).digest('hex')}`) {
        return twirpError(res, 400, 'invalid_argument', `hash ${msg.hash} does not match the upload`);
      }
      const zip = readZip(artifact.blob); // throws on a broken zip: the catch below answers 400
      artifact.files = zip.files;
      artifact.directories = zip.directories;
      artifact.hash = msg.hash;
      artifact.finalized = true;
      return json(res, 200, { ok: true, artifact_id: String(artifact.id) });
    }
    return twirpError(res, 404, 'bad_route', `no method ${method} in the fake`);
  };

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {URL} u @param {Buffer} body */
  const blob = (req, res, u, body) => {
    const m = /^\/upload\/artifacts\/(\d+)\.zip$/.exec(u.pathname);
    const artifact = m ? artifacts.find((a) => a.id === Number(m[1]) && !a.finalized) : undefined;
    if (u.searchParams.get('sig') !== sig) return blobError(req, res, 403, 'AuthenticationFailed', 'Signature did not match.');
    if (!artifact) return blobError(req, res, 404, 'BlobNotFound', 'The specified blob does not exist.');
    if (req.method !== 'PUT') return blobError(req, res, 405, 'UnsupportedHttpVerb', `The fake accepts PUT only, not ${req.method}.`);
    if (req.headers['x-ms-structured-body']) return blobError(req, res, 400, 'UnsupportedHeader', 'Structured (CRC64) bodies are not supported by the fake.');
    const length = Number(req.headers['content-length']);
    if (!Number.isFinite(length) || length !== body.length) return blobError(req, res, 400, 'InvalidHeaderValue', `Content-Length ${req.headers['content-length']} does not match the ${body.length} bytes sent.`);
    const md5 = req.headers['content-md5'];
    if (md5 && md5 !== createHash('md5').update(body).digest('base64')) return blobError(req, res, 400, 'Md5Mismatch', 'The MD5 value specified in the request did not match the MD5 value calculated by the server.');
    const comp = u.searchParams.get('comp');

    if (comp === 'block') {
      counts.block++;
      if (faults.block && counts.block <= faults.block.times) return blobError(req, res, faults.block.status, faults.block.status === 503 ? 'ServerBusy' : faults.block.status === 403 ? 'AuthenticationFailed' : 'InternalError', 'Injected Put Block failure.');
      const blockId = u.searchParams.get('blockid') ?? '';
      const decoded = Buffer.from(blockId, 'base64');
      if (!blockId || decoded.length === 0 || decoded.length > 64 || decoded.toString('base64') !== blockId) return blobError(req, res, 400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid.');
      for (const other of artifact.blocks.keys()) {
        if (Buffer.from(other, 'base64').length !== decoded.length) return blobError(req, res, 400, 'InvalidBlobOrBlock', 'The specified blob or block content is invalid (block ids of one blob must have the same length).');
      }
      artifact.blocks.set(blockId, body);
      return created(req, res, { 'content-md5': createHash('md5').update(body).digest('base64') });
    }

    if (comp === 'blocklist') {
      const xml = body.toString('utf8');
      if (!/<BlockList>/.test(xml)) return blobError(req, res, 400, 'InvalidXmlDocument', 'XML specified is not syntactically valid.');
      /** @type {Buffer[]} */
      const parts = [];
      for (const [, kind, id] of xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)) {
        const block = kind === 'Committed' ? undefined : artifact.blocks.get(unescapeXml(id));
        if (!block) return blobError(req, res, 400, 'InvalidBlockList', `The specified block list is invalid (${kind} block ${id} was not staged).`);
        parts.push(block);
      }
      return commit(req, res, artifact, Buffer.concat(parts));
    }

    if (comp === null) {
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob') return blobError(req, res, 400, 'MissingRequiredHeader', 'An HTTP header that is mandatory for this request is not specified (x-ms-blob-type).');
      return commit(req, res, artifact, body);
    }
    return blobError(req, res, 400, 'InvalidQueryParameterValue', `comp=${comp} is not supported by the fake.`);
  };

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {FakeArtifact} artifact @param {Buffer} data */
  const commit = (req, res, artifact, data) => {
    artifact.blob = data;
    artifact.size = data.length;
    artifact.blocks.clear();
    const ct = req.headers['x-ms-blob-content-type'] ?? req.headers['content-type'];
    artifact.contentType = ct === undefined ? undefined : String(ct);
    const now = new Date();
    return created(req, res, {
      etag: `"0x${createHash('md5').update(data).digest('hex').slice(0, 15).toUpperCase()}"`,
      'last-modified': now.toUTCString(),
      'x-ms-version-id': now.toISOString(),
      'x-ms-content-crc64': randomBytes(8).toString('base64'),
    });
  };

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const op = u.pathname.startsWith(SERVICE) ? u.pathname.slice(SERVICE.length) : u.pathname.startsWith('/upload/') ? `blob:${u.searchParams.get('comp') ?? 'put'}` : 'unknown';
    const entry = { method: req.method ?? '', path: u.pathname, op, status: 0 };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    try {
      const body = await readBody(req);
      if (u.pathname.startsWith(SERVICE)) twirp(req, res, u.pathname.slice(SERVICE.length), body);
      else if (u.pathname.startsWith('/upload/')) blob(req, res, u, body);
      else twirpError(res, 404, 'bad_route', `no route ${u.pathname}`);
    } catch (error) {
      if (!res.headersSent) twirpError(res, 400, 'invalid_argument', `the fake failed: ${/** @type {Error} */ (error).message}`);
      else res.destroy();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;

  return {
    url,
    runtimeToken,
    workflowRunBackendId: runId,
    workflowJobRunBackendId: jobId,
    /** The variables the runner gives a step. */
    env() {
      return { ACTIONS_RUNTIME_TOKEN: runtimeToken, ACTIONS_RESULTS_URL: `${url}/` };
    },
    artifacts,
    requests,
    /** @param {string} name */
    artifact(name) {
      return artifacts.find((a) => a.name === name);
    },
    /** Closes the server and every kept-alive socket (the Azure SDK and http-client keep some). */
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
