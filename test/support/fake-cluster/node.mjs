// The one node of the fake cluster.
export const NODE_NAME = 'fake-node';
