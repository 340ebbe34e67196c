// Garbage collection by ownerReferences, shared by the API server's DELETE and the controllers
// (kubernetes/kubernetes pkg/controller/garbagecollector): dependents are the objects with an
// ownerReference to the owner's uid. Foreground deletes them before the owner; Background deletes the
// owner and the collector then deletes them; Orphan removes the ownerReferences and keeps them.

/** @param {import('./store.mjs').Store} store @param {string} uid */
export function dependentsOf(store, uid) {
  return store.all().filter(({ object }) => (object.metadata.ownerReferences ?? []).some((o) => o.uid === uid));
}

/** Deletes an object's dependents (depth first), then the object. @param {import('./store.mjs').Store} store @param {any} ref */
export function deleteForeground(store, ref) {
  const obj = store.get(ref);
  if (!obj) return undefined;
  for (const { group, resource, object } of dependentsOf(store, obj.metadata.uid)) {
    deleteForeground(store, { group, resource, namespace: object.metadata.namespace, name: object.metadata.name });
  }
  return store.delete(ref);
}
