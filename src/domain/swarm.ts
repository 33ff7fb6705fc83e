// Docker Swarm across several servers (#20): node roles, the ports the nodes talk on, the stack's
// names. Pure; the stack file is render/stack.ts, the commands services/cluster.ts.
import { join } from 'node:path/posix';

/** Roles are node labels (`<role>=true`): edge runs Nginx, app the app and worker replicas, data the stateful services. */
export const NODE_ROLES = ['edge', 'app', 'data'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** The stack file's name in the install dir, beside the single server's docker-compose.yml. */
export const STACK_FILE = 'docker-stack.yml';

/** Placement constraint of a role, as the stack file and `docker service create` write it. */
export const roleConstraint = (role: NodeRole) => `node.labels.${role} == true`;

/**
 * The ports Swarm's nodes use between themselves (Docker's "Use overlay networks"): 2377/tcp
 * cluster management (managers), 7946 tcp+udp node gossip, 4789/udp VXLAN data. Open only
 * between the cluster's node addresses, never to the world.
 */
export const SWARM_PORTS: readonly { port: number; proto: 'tcp' | 'udp' }[] = [
  { port: 2377, proto: 'tcp' },
  { port: 7946, proto: 'tcp' },
  { port: 7946, proto: 'udp' },
  { port: 4789, proto: 'udp' },
];

/**
 * `role[,role…]` as `cluster label` takes it: each a known role, no repeats. An unknown one is
 * named in the error (the caller turns null + the bad part into a usage error).
 */
export function parseRoles(text: string): { roles: NodeRole[] } | { bad: string } {
  const parts = text.split(',').map((p) => p.trim());
  const roles: NodeRole[] = [];
  for (const p of parts) {
    if (!(NODE_ROLES as readonly string[]).includes(p)) return { bad: p };
    if (!roles.includes(p as NodeRole)) roles.push(p as NodeRole);
  }
  return { roles };
}

/** A swarm node's ID or host name as `docker node` takes it: letters, digits, . _ - (never an option). */
export const NODE_REF_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** A join token: SWMTKN-1-<cluster hash>-<secret>. */
export const JOIN_TOKEN_RE = /^SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25}$/;

/** argv for `docker` (from `stack` on) that deploys or updates the stack from its file. */
export function stackDeployArgv(installDir: string, project: string): string[] {
  // --prune removes services the answers dropped; --with-registry-auth lets every node pull a private app image.
  return ['stack', 'deploy', '--prune', '--with-registry-auth', '-c', join(installDir, STACK_FILE), project];
}

/** The name of a .env secret as a Docker secret and under /run/secrets/. */
export const dockerSecretName = (envName: string) => envName.toLowerCase();
