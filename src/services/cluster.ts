// Use case: `cluster init|join|status|leave|drain|label` (#20.1), Docker Swarm across servers.
// Roles are node labels (edge, app, data) that the stack file's placement reads (render/stack.ts).
import type { Context } from '../context.js';
import { usageError, hostError } from '../errors.js';
import {
  JOIN_TOKEN_RE,
  MANAGER_ADDR_RE,
  NODE_REF_RE,
  NODE_ROLES,
  chooseAdvertiseAddress,
  parseRoles,
  type ClusterNode,
  type NodeRole,
} from '../domain/swarm.js';
import {
  drainNode,
  hostAddresses,
  inspectNode,
  joinToken,
  listNodes,
  setRoles,
  swarmInit,
  swarmJoin,
  swarmLeave,
  swarmState,
} from '../steps/cluster.js';

export type ClusterOptions =
  | { sub: 'init'; advertiseAddr?: string; roles?: string; allowPublic: boolean; encrypted: boolean }
  | { sub: 'join'; manager: string; token: string; advertiseAddr?: string; allowPublic: boolean; encrypted: boolean }
  | { sub: 'status'; json: boolean }
  | { sub: 'leave'; yes: boolean }
  | { sub: 'drain'; node: string }
  | { sub: 'label'; node: string; roles: string };

function rolesOf(text: string): NodeRole[] {
  const r = parseRoles(text);
  if ('bad' in r) throw usageError('cluster.err.role', { role: r.bad, roles: NODE_ROLES.join(', ') });
  return r.roles;
}

function nodeRef(node: string): string {
  if (!NODE_REF_RE.test(node)) throw usageError('cluster.err.nodeRef', { node: node.slice(0, 80) });
  return node;
}

async function advertise(
  ctx: Context,
  o: { advertiseAddr?: string; allowPublic: boolean; encrypted: boolean },
): Promise<string> {
  const found = await hostAddresses(ctx);
  const c = chooseAdvertiseAddress(found, {
    asked: o.advertiseAddr,
    allowPublic: o.allowPublic,
    encrypted: o.encrypted,
  });
  if ('address' in c) return c.address;
  const params = { address: o.advertiseAddr ?? '', candidates: c.candidates.join(', ') || '-' };
  throw (
    c.problem === 'notLocal' || c.problem === 'public' || c.problem === 'publicUnencrypted' ? usageError : hostError
  )(`cluster.err.${c.problem}`, params);
}

export function formatNodes(ctx: Context, nodes: readonly ClusterNode[]): string {
  const { t } = ctx;
  const head = [
    t('cluster.col.node'),
    t('cluster.col.role'),
    t('cluster.col.roles'),
    t('cluster.col.state'),
    t('cluster.col.address'),
    t('cluster.col.resources'),
    t('cluster.col.engine'),
  ];
  const rows = nodes.map((n) => [
    n.hostname,
    n.role + (n.leader ? '*' : ''),
    n.roles.join(',') || '-',
    `${n.state}/${n.availability}`,
    n.address,
    `${n.cpus} CPU, ${n.memoryMiB} MiB`,
    n.engine,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ');
  const out = [line(head), ...rows.map(line)];
  const missing = NODE_ROLES.filter((r) => !nodes.some((n) => n.healthy && n.roles.includes(r)));
  const data = nodes.filter((n) => n.roles.includes('data')).length;
  out.push(
    missing.length
      ? t('cluster.status.missing', { roles: missing.join(', ') })
      : t('cluster.status.ok', { count: nodes.length }),
  );
  // A lost node, said by name: its tasks moved (or wait) and its roles may now be missing above.
  for (const n of nodes.filter((x) => !x.healthy))
    out.push(t('status.swarm.nodeDown', { node: n.hostname, state: `${n.state}/${n.availability}` }));
  // The stateful services are pinned by the data label: on two nodes they could move away from their volumes.
  if (data > 1) out.push(t('cluster.status.severalData', { count: data }));
  return `${out.join('\n')}\n`;
}

export async function cluster(ctx: Context, o: ClusterOptions): Promise<number> {
  const { t } = ctx;
  if (o.sub === 'status') {
    const s = await swarmState(ctx);
    if (s.state !== 'active') throw hostError('cluster.err.notInSwarm', { state: s.state });
    if (!s.manager) throw hostError('cluster.err.notManager');
    const nodes = await listNodes(ctx);
    ctx.io.out(o.json ? `${JSON.stringify({ nodes }, null, 2)}\n` : formatNodes(ctx, nodes));
    return nodes.every((n) => n.healthy) ? 0 : 4;
  }
  if (o.sub === 'init') {
    const roles = rolesOf(o.roles ?? NODE_ROLES.join(','));
    const s = await swarmState(ctx);
    if (s.state !== 'inactive') throw hostError('cluster.err.already', { state: s.state });
    const address = await advertise(ctx, o);
    await swarmInit(ctx, address);
    const self = await swarmState(ctx);
    await setRoles(ctx, await inspectNode(ctx, self.nodeId || 'self'), roles);
    const token = await joinToken(ctx);
    ctx.io.out(`${t('cluster.init.done', { address, roles: roles.join(',') })}\n`);
    ctx.io.out(`${t('cluster.init.join')}\n  stack-wizard cluster join ${address}:2377 ${token}\n`);
    ctx.io.out(`${t('cluster.init.label')}\n`);
    return 0;
  }
  if (o.sub === 'join') {
    if (!MANAGER_ADDR_RE.test(o.manager)) throw usageError('cluster.err.manager', { value: o.manager.slice(0, 80) });
    if (!JOIN_TOKEN_RE.test(o.token)) throw usageError('cluster.err.token');
    const s = await swarmState(ctx);
    if (s.state !== 'inactive') throw hostError('cluster.err.already', { state: s.state });
    const address = await advertise(ctx, o);
    await swarmJoin(ctx, o.manager, o.token, address);
    ctx.io.out(`${t('cluster.join.done', { manager: o.manager, address })}\n`);
    return 0;
  }
  if (o.sub === 'leave') {
    const s = await swarmState(ctx);
    if (s.state === 'inactive') throw hostError('cluster.err.notInSwarm', { state: s.state });
    // A manager leaving takes the cluster's state with it (the last one) or its quorum vote: only when confirmed.
    if (s.manager && !o.yes) throw usageError('cluster.err.leaveManager');
    await swarmLeave(ctx, s.manager);
    ctx.io.out(`${t('cluster.leave.done')}\n`);
    return 0;
  }
  // Input is judged before anything runs (a usage error touches nothing).
  const ref = nodeRef(o.node);
  const roles = o.sub === 'label' ? rolesOf(o.roles) : [];
  const s = await swarmState(ctx);
  if (s.state !== 'active' || !s.manager) throw hostError('cluster.err.notManager');
  const node = await inspectNode(ctx, ref);
  if (o.sub === 'drain') {
    await drainNode(ctx, node);
    ctx.io.out(`${t('cluster.drain.done', { node: node.hostname })}\n`);
    return 0;
  }
  await setRoles(ctx, node, roles);
  ctx.io.out(`${t('cluster.label.done', { node: node.hostname, roles: roles.join(',') })}\n`);
  return 0;
}
