// Admission for built-in kinds: the defaults kube-apiserver fills in, the validation that surprises clients, and
// allocation of Service cluster IPs and node ports. Also the object-metadata validation shared by all kinds.
import { fieldErrors } from './errors.mjs';
import { compileLabelSelector, matchesLabels } from './selectors.mjs';
import { admitJob } from './job-admission.mjs';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const MSG = {
  subdomain: `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  label: `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
  dns1035: `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
};

/** How each kind's names are validated. */
function nameRule(resource) {
  if (resource === 'namespaces') return { re: LABEL, max: 63, msg: MSG.label };
  if (resource === 'services') return { re: DNS1035, max: 63, msg: MSG.dns1035 };
  if (/^(cluster)?role(binding)?s$/.test(resource)) return null; // path segment names
  return { re: SUBDOMAIN, max: 253, msg: MSG.subdomain };
}

/**
 * Validation of metadata common to every kind.
 * @param {import('./resources.mjs').ResourceType} type
 */
export function validateMetadata(type, meta) {
  const causes = [];
  const name = meta?.name;
  if (!name) causes.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  else {
    const rule = nameRule(type.resource);
    if (rule && (!rule.re.test(name) || name.length > rule.max)) causes.push(fieldErrors.invalid('metadata.name', name, rule.msg));
    if (!rule && (name === '.' || name === '..' || /[/%]/.test(name))) causes.push(fieldErrors.invalid('metadata.name', name, `may not contain '/' or '%'`));
  }
  for (const [k, v] of Object.entries(meta?.labels ?? {})) {
    if (!QUALIFIED.test(k) || k.split('/').pop().length > 63) causes.push(fieldErrors.invalid('metadata.labels', k, `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`));
    if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) causes.push(fieldErrors.invalid('metadata.labels', v, `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`));
  }
  for (const [k, v] of Object.entries(meta?.annotations ?? {})) {
    if (!QUALIFIED.test(k)) causes.push(fieldErrors.invalid('metadata.annotations', k, `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`));
    if (typeof v !== 'string') causes.push(fieldErrors.typeInvalid(`metadata.annotations.${k}`, typeof v, 'must be a string'));
  }
  return causes;
}

/**
 * Defaults and validation for a built-in kind (mutates `obj`).
 * @param {import('./resources.mjs').ResourceType} type
 * @param {any} obj the object to be stored
 * @param {any} old the stored object on update, undefined on create
 * @param {{ store: import('./store.mjs').Store, kubernetesVersion?: string }} ctx
 * @returns {Array<{ type: string, field: string, detail: string }>}
 */
export function admitBuiltin(type, obj, old, ctx) {
  switch (`${type.group}/${type.resource}`) {
    case '/namespaces':
      obj.spec = { finalizers: ['kubernetes'], ...obj.spec };
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
      if (!old) obj.status = { phase: 'Active' };
      return [];
    case '/pods':
      defaultPodSpec((obj.spec ??= {}));
      if (!old) obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
      return validatePodSpec(obj.spec, 'spec');
    case '/services':
      return admitService(obj, old, ctx.store);
    case '/secrets':
      if (obj.stringData) {
        obj.data = { ...obj.data };
        for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString('base64');
        delete obj.stringData;
      }
      obj.type ??= 'Opaque';
      return [];
    case 'apps/deployments':
      return admitDeployment(obj, old);
    case 'batch/jobs':
      return admitJob(obj, old, defaultPodSpec, validatePodSpec, ctx.kubernetesVersion);
    case 'admissionregistration.k8s.io/validatingadmissionpolicies':
      return admitValidatingAdmissionPolicy(obj);
    case 'admissionregistration.k8s.io/validatingadmissionpolicybindings':
      return admitValidatingAdmissionPolicyBinding(obj);
    default:
      return [];
  }
}

// kubernetes pkg/apis/admissionregistration/v1/defaults.go and validation/validation.go: the defaults and the
// checks a v1 policy and binding get. The policies are stored, not evaluated (the fake runs no CEL).
const RULE_OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

function validateResourceRules(rules, field, requireOperations) {
  const causes = [];
  (rules ?? []).forEach((r, i) => {
    for (const key of ['apiGroups', 'apiVersions', 'resources', ...(requireOperations ? ['operations'] : [])]) {
      if (!Array.isArray(r?.[key]) || r[key].length === 0) causes.push(fieldErrors.required(`${field}[${i}].${key}`));
    }
    for (const op of r?.operations ?? []) if (!RULE_OPERATIONS.includes(op)) causes.push(fieldErrors.notSupported(`${field}[${i}].operations`, op, RULE_OPERATIONS));
  });
  return causes;
}

function admitValidatingAdmissionPolicy(obj) {
  const spec = (obj.spec ??= {});
  spec.failurePolicy ??= 'Fail';
  const causes = [];
  if (!['Fail', 'Ignore'].includes(spec.failurePolicy)) causes.push(fieldErrors.notSupported('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore']));
  if (!spec.matchConstraints) causes.push(fieldErrors.required('spec.matchConstraints'));
  else {
    spec.matchConstraints.matchPolicy ??= 'Equivalent';
    spec.matchConstraints.namespaceSelector ??= {};
    spec.matchConstraints.objectSelector ??= {};
    if (!spec.matchConstraints.resourceRules?.length) causes.push(fieldErrors.required('spec.matchConstraints.resourceRules'));
    causes.push(...validateResourceRules(spec.matchConstraints.resourceRules, 'spec.matchConstraints.resourceRules', true));
  }
  if (!spec.validations?.length && !spec.auditAnnotations?.length) {
    causes.push(fieldErrors.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  }
  (spec.validations ?? []).forEach((v, i) => {
    if (typeof v?.expression !== 'string' || v.expression.trim() === '') causes.push(fieldErrors.required(`spec.validations[${i}].expression`, 'expression is not specified'));
  });
  return causes;
}

const VALIDATION_ACTIONS = ['Deny', 'Warn', 'Audit'];

function admitValidatingAdmissionPolicyBinding(obj) {
  const spec = (obj.spec ??= {});
  const causes = [];
  if (!spec.policyName) causes.push(fieldErrors.required('spec.policyName'));
  if (!Array.isArray(spec.validationActions) || spec.validationActions.length === 0) {
    causes.push(fieldErrors.required('spec.validationActions', 'at least one validation action is required'));
  } else {
    for (const a of spec.validationActions) if (!VALIDATION_ACTIONS.includes(a)) causes.push(fieldErrors.notSupported('spec.validationActions', a, VALIDATION_ACTIONS));
  }
  if (spec.matchResources) {
    spec.matchResources.matchPolicy ??= 'Equivalent';
    spec.matchResources.namespaceSelector ??= {};
    spec.matchResources.objectSelector ??= {};
    causes.push(...validateResourceRules(spec.matchResources.resourceRules, 'spec.matchResources.resourceRules', true));
  }
  return causes;
}

export function defaultPodSpec(spec) {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount = spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const tag = String(c.image ?? '').split('/').pop() ?? '';
    c.imagePullPolicy ??= !tag.includes(':') || tag.endsWith(':latest') ? 'Always' : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
}

function validatePodSpec(spec, at) {
  const causes = [];
  const containers = spec.containers ?? [];
  if (!Array.isArray(containers) || containers.length === 0) causes.push(fieldErrors.required(`${at}.containers`));
  const seen = new Set();
  containers.forEach((c, i) => {
    if (!c.name) causes.push(fieldErrors.required(`${at}.containers[${i}].name`));
    else if (!LABEL.test(c.name)) causes.push(fieldErrors.invalid(`${at}.containers[${i}].name`, c.name, MSG.label));
    else if (seen.has(c.name)) causes.push(fieldErrors.duplicate(`${at}.containers[${i}].name`, c.name));
    seen.add(c.name);
    if (!c.image) causes.push(fieldErrors.required(`${at}.containers[${i}].image`));
    (c.ports ?? []).forEach((p, j) => {
      if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535) {
        causes.push(fieldErrors.invalid(`${at}.containers[${i}].ports[${j}].containerPort`, p.containerPort, 'must be between 1 and 65535, inclusive'));
      }
    });
  });
  return causes;
}

function admitDeployment(obj, old) {
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: 'RollingUpdate' };
  if (spec.strategy.type === 'RollingUpdate') spec.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...spec.strategy.rollingUpdate };
  const template = (spec.template ??= {});
  template.metadata ??= {};
  defaultPodSpec((template.spec ??= {}));
  if (!old) obj.status = {};

  const causes = [];
  if (!spec.selector) causes.push(fieldErrors.required('spec.selector'));
  else {
    const reqs = compileLabelSelector(spec.selector);
    if (reqs.length === 0) causes.push(fieldErrors.invalid('spec.selector', spec.selector, 'empty selector is invalid for deployment'));
    else if (!matchesLabels(reqs, template.metadata.labels)) {
      causes.push(fieldErrors.invalid('spec.template.metadata.labels', template.metadata.labels ?? {}, '`selector` does not match template `labels`'));
    }
  }
  if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(spec.selector)) {
    causes.push(fieldErrors.invalid('spec.selector', spec.selector, 'field is immutable'));
  }
  if (!Number.isInteger(spec.replicas) || spec.replicas < 0) causes.push(fieldErrors.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  causes.push(...validatePodSpec(template.spec, 'spec.template.spec'));
  return causes;
}

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function admitService(obj, old, store) {
  const spec = (obj.spec ??= {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  const causes = [];
  if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(spec.type)) {
    causes.push(fieldErrors.notSupported('spec.type', spec.type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']));
    return causes;
  }
  if (spec.type === 'ExternalName') {
    if (!old) obj.status = { loadBalancer: {} };
    return causes;
  }
  const ports = spec.ports ?? [];
  if (ports.length === 0 && spec.clusterIP !== 'None') causes.push(fieldErrors.required('spec.ports'));
  const others = store.list({ group: '', resource: 'services' }).filter((s) => s.metadata.uid !== old?.metadata.uid);
  const usedNodePorts = new Set(others.flatMap((s) => (s.spec.ports ?? []).map((p) => p.nodePort).filter(Boolean)));
  const needsNodePort = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  ports.forEach((p, i) => {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) causes.push(fieldErrors.invalid(`spec.ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive'));
    if (ports.length > 1 && !p.name) causes.push(fieldErrors.required(`spec.ports[${i}].name`));
    if (!needsNodePort) {
      if (p.nodePort) causes.push(fieldErrors.forbidden(`spec.ports[${i}].nodePort`, 'may not be used when `type` is \'ClusterIP\''));
      return;
    }
    const prev = old?.spec?.ports?.find((q) => q.port === p.port && q.protocol === p.protocol)?.nodePort;
    if (p.nodePort === undefined && prev) p.nodePort = prev;
    if (p.nodePort !== undefined) {
      if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
        causes.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`));
      } else if (usedNodePorts.has(p.nodePort)) {
        causes.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
      }
    } else {
      let n = NODE_PORT_MIN;
      while (usedNodePorts.has(n) || ports.some((q) => q !== p && q.nodePort === n)) n++;
      p.nodePort = n;
    }
    usedNodePorts.add(p.nodePort);
  });
  if (needsNodePort) spec.externalTrafficPolicy ??= 'Cluster';
  spec.internalTrafficPolicy ??= 'Cluster';
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';

  const oldIP = old?.spec?.clusterIP;
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = oldIP ?? allocateClusterIP(others);
  else if (oldIP && spec.clusterIP !== oldIP) causes.push(fieldErrors.invalid('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set'));
  else if (!oldIP && spec.clusterIP !== 'None' && others.some((s) => s.spec.clusterIP === spec.clusterIP)) {
    causes.push(fieldErrors.invalid('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`));
  }
  spec.clusterIPs = [spec.clusterIP];
  if (!old) obj.status = { loadBalancer: {} };
  return causes;
}

function allocateClusterIP(others) {
  const used = new Set(others.map((s) => s.spec.clusterIP));
  for (let i = 10; i < 65000; i++) {
    const ip = `10.96.${Math.floor(i / 254)}.${(i % 254) + 1}`;
    if (!used.has(ip)) return ip;
  }
  throw new Error('service cluster IP range exhausted');
}
