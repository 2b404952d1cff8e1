// The cluster agent's wire format (pure, Web Crypto): the snapshot schema,
// signing and verification with a 5-minute replay window. The agent loop
// that produces snapshots is Node-only (lib/node/agent.ts); the status
// function verifies them with the same code on Workers or Node. approvals.ts:
// the signed answer that delivers approvals to the agent.
export * from './snapshot.ts';
export * from './approvals.ts';
