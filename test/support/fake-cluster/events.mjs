// core/v1 Events as kubelet, the scheduler and the controllers record them (client-go's event recorder):
// name `<object>.<16 hex>`, the object in `involvedObject`, `source`/`reportingComponent` naming who saw it.
import { randomBytes } from 'node:crypto';
import { now } from './store.mjs';
import { NODE_NAME } from './node.mjs';

const EVENTS = { group: '', resource: 'events' };

/**
 * @param {import('./store.mjs').Store} store
 * @param {any} object the involved object (Pod, Job)
 * @param {{ type?: 'Normal' | 'Warning', reason: string, message: string, component: string, fieldPath?: string }} e
 */
export function recordEvent(store, object, e) {
  const namespace = object.metadata.namespace;
  const ns = store.get({ group: '', resource: 'namespaces', name: namespace });
  if (!ns || ns.metadata.deletionTimestamp) return; // a terminating namespace takes no new content
  const at = now();
  const host = e.component === 'kubelet' ? NODE_NAME : undefined;
  store.create(EVENTS, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: {
      kind: object.kind,
      namespace,
      name: object.metadata.name,
      uid: object.metadata.uid,
      apiVersion: object.apiVersion,
      resourceVersion: object.metadata.resourceVersion,
      ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
    },
    reason: e.reason,
    message: e.message,
    source: { component: e.component, ...(host ? { host } : {}) },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type: e.type ?? 'Normal',
    eventTime: null,
    reportingComponent: e.component,
    reportingInstance: host ?? '',
  });
}
