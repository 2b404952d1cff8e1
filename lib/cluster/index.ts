// Cluster readers: the resources cairn reads (resources.ts), a transport
// interface over the Kubernetes API (transport.ts; the client-node adapter is
// lib/node/kube-client.ts), list + watch with relist on 410 (reflector.ts),
// and direct reads for the gate, the agent and `cairn plan --kubeconfig`
// (reader.ts). No node:* imports here: the transport is passed in.
export * from './reader.ts';
export * from './reflector.ts';
export * from './resources.ts';
export * from './transport.ts';
export * from './approve.ts';
export * from './rbac.ts';
