// Docker Swarm on this server (#20.1): what `cluster` runs, through the Executor (dry-run records
// the changes, reads still run). Decisions are domain/swarm.ts; messages services/cluster.ts.
import type { Context } from '../context.js';
import { opError } from '../errors.js';
import { globalAddresses, parseNodeInspect, roleLabelArgs, type ClusterNode, type NodeRole } from '../domain/swarm.js';

const TIMEOUT = 60_000;

/** This engine's swarm state: `inactive`, `active` (and whether it is a manager), `pending`, `error`, `locked`. */
export async function swarmState(ctx: Context): Promise<{ state: string; nodeId: string; manager: boolean }> {
  const r = await ctx.exec.query('docker', ['info', '--format', '{{json .Swarm}}'], { timeoutMs: TIMEOUT });
  if (r.exitCode !== 0) throw opError('cluster.err.docker', { detail: r.stderr.trim() || r.stdout.trim() });
  const s = JSON.parse(r.stdout) as { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean };
  return { state: s.LocalNodeState ?? 'unknown', nodeId: s.NodeID ?? '', manager: s.ControlAvailable === true };
}

export async function hostAddresses(ctx: Context): Promise<{ iface: string; address: string }[]> {
  const r = await ctx.exec.query('ip', ['-o', 'addr', 'show', 'scope', 'global'], { timeoutMs: 5000 });
  return r.exitCode === 0 ? globalAddresses(r.stdout) : [];
}

async function docker(ctx: Context, args: string[]): Promise<string> {
  const r = await ctx.exec.run('docker', args, { timeoutMs: TIMEOUT, check: false });
  if (r.exitCode !== 0)
    throw opError('cluster.err.docker', { detail: ctx.exec.redact(r.stderr.trim() || r.stdout.trim()) });
  return r.stdout;
}

export async function swarmInit(ctx: Context, address: string): Promise<void> {
  // Management, gossip and data all on the private address: nothing of the swarm listens on a public one.
  await docker(ctx, [
    'swarm',
    'init',
    '--advertise-addr',
    address,
    '--listen-addr',
    `${address}:2377`,
    '--data-path-addr',
    address,
  ]);
}

/** The worker join token; registered as a secret, so no log line holds it. */
export async function joinToken(ctx: Context): Promise<string> {
  const r = await ctx.exec.query('docker', ['swarm', 'join-token', '-q', 'worker'], { timeoutMs: TIMEOUT });
  if (r.exitCode !== 0) throw opError('cluster.err.docker', { detail: r.stderr.trim() });
  const token = r.stdout.trim();
  ctx.exec.addSecrets([token]);
  return token;
}

export async function swarmJoin(ctx: Context, manager: string, token: string, address: string): Promise<void> {
  ctx.exec.addSecrets([token]);
  await docker(ctx, [
    'swarm',
    'join',
    '--token',
    token,
    '--advertise-addr',
    address,
    '--listen-addr',
    `${address}:2377`,
    '--data-path-addr',
    address,
    manager,
  ]);
}

export async function listNodes(ctx: Context): Promise<ClusterNode[]> {
  const ids = await ctx.exec.query('docker', ['node', 'ls', '-q'], { timeoutMs: TIMEOUT });
  if (ids.exitCode !== 0) throw opError('cluster.err.docker', { detail: ids.stderr.trim() });
  const list = ids.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const r = await ctx.exec.query('docker', ['node', 'inspect', ...list], { timeoutMs: TIMEOUT });
  if (r.exitCode !== 0) throw opError('cluster.err.docker', { detail: r.stderr.trim() });
  return parseNodeInspect(r.stdout);
}

export async function inspectNode(ctx: Context, node: string): Promise<ClusterNode> {
  const r = await ctx.exec.query('docker', ['node', 'inspect', '--', node], { timeoutMs: TIMEOUT });
  if (r.exitCode !== 0) throw opError('cluster.err.noNode', { node, detail: r.stderr.trim() });
  return parseNodeInspect(r.stdout)[0]!;
}

export async function setRoles(ctx: Context, node: ClusterNode, roles: readonly NodeRole[]): Promise<void> {
  await docker(ctx, ['node', 'update', ...roleLabelArgs(node.labels, roles), '--', node.id]);
}

export async function drainNode(ctx: Context, node: ClusterNode): Promise<void> {
  await docker(ctx, ['node', 'update', '--availability', 'drain', '--', node.id]);
}

export async function swarmLeave(ctx: Context, force: boolean): Promise<void> {
  await docker(ctx, ['swarm', 'leave', ...(force ? ['--force'] : [])]);
}
