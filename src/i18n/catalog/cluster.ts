import { defineCatalog } from '../define.js';

// Docker Swarm across several servers (#20): `cluster` and the stack on it.
export const cluster = defineCatalog(
  {
    'cmd.cluster':
      'Docker Swarm across several servers: init on the first, join the others, status, label roles (edge, app, data), drain, leave',
    'cluster.col.node': 'NODE',
    'cluster.col.role': 'ROLE',
    'cluster.col.roles': 'LABELS',
    'cluster.col.state': 'STATE',
    'cluster.col.address': 'ADDRESS',
    'cluster.col.resources': 'RESOURCES',
    'cluster.col.engine': 'ENGINE',
    'cluster.status.ok': '{count} node(s); every role (edge, app, data) has a ready node',
    'cluster.status.missing':
      'no ready node has the role(s) {roles}: label one with stack-wizard cluster label <node> <role>',
    'cluster.status.severalData':
      '{count} nodes are labelled data: the databases are pinned to their volumes on one node; keep the label on exactly one',
    'cluster.init.done':
      'Swarm started on {address} (private address; Swarm listens only there); this node has the roles {roles}',
    'cluster.init.join':
      'On each other server, after installing stack-wizard, run (the token lets a server join: keep it private):',
    'cluster.init.label': 'Then give each node its roles here: stack-wizard cluster label <node> edge|app|data[,…]',
    'cluster.join.done': 'Joined the swarm of {manager}, advertising {address}',
    'cluster.leave.done': 'This server left the swarm',
    'cluster.drain.done': '{node} is drained: its tasks move to other nodes',
    'cluster.label.done': '{node} now has the roles {roles}',
    'cluster.err.subcommand': 'cluster needs one of init, join, status, leave, drain, label (got "{value}")',
    'cluster.err.missing': 'cluster {sub} needs {what}',
    'cluster.err.role': 'unknown role "{role}": roles are {roles}, separated by commas',
    'cluster.err.nodeRef':
      'node "{node}" is not a node ID or host name (letters, digits, . _ -): see stack-wizard cluster status',
    'cluster.err.noNode': 'no node "{node}" in this swarm: {detail}',
    'cluster.err.manager':
      '<manager> "{value}" must be the host or address of a manager, optionally with :port (as cluster init printed it)',
    'cluster.err.token':
      '<token> is not a Swarm join token (SWMTKN-1-…): copy it from the command cluster init printed, or run docker swarm join-token worker on a manager',
    'cluster.err.already': 'this server is already in a swarm (state {state}): run stack-wizard cluster leave first',
    'cluster.err.notInSwarm':
      'this server is not in a swarm (state {state}): run stack-wizard cluster init, or cluster join',
    'cluster.err.notManager': 'run this on a manager of the swarm (the server where cluster init ran)',
    'cluster.err.leaveManager':
      'this server is a manager: leaving may end the swarm for every node; add --yes to leave anyway',
    'cluster.err.notLocal': '--advertise-addr {address} is not an address of this server (it has {candidates})',
    'cluster.err.public':
      '--advertise-addr {address} is public: Swarm traffic would cross the Internet; use a private address ({candidates}), or add --public --encrypted',
    'cluster.err.publicUnencrypted':
      '--advertise-addr {address} is public: add --encrypted and set swarm.encrypted: true in the answers, or use a private address',
    'cluster.err.noPrivate':
      'this server has no private address to run the swarm on (it has {candidates}): add the servers to a private network, or pass --advertise-addr IP --public --encrypted',
    'cluster.err.severalPrivate':
      'this server has several private addresses ({candidates}): choose one with --advertise-addr IP',
    'cluster.err.docker': 'docker failed: {detail}',
    'swarm.sizedFor': '  {service}: {memory} MiB, {cpus} CPU per task, sized for node {node} ({nodeMiB} MiB) beside {with}',
    'swarm.waitConverged': 'wait until every service has all its tasks running and healthy (at most {seconds} s)',
    'swarm.notConverged': 'not converged: {services}',
    'swarm.err.notManager':
      'deploy: swarm deploys from a manager of the swarm, and this server is not one (swarm state {state}): run stack-wizard cluster init here first, or run this on the manager',
    'swarm.err.rolledBack':
      'Swarm rolled {services} back to the previous version: the new tasks failed their health check (the previous version serves)',
    'swarm.err.notConverged':
      '{services} did not get all tasks running and healthy in time: see stack-wizard status, docker service ps, and whether a node of the needed role is ready (cluster status)',
    'status.swarm.head': 'Swarm stack {project}: {count} service(s)',
    'status.swarm.service': '{service}: {running}/{desired} running ({mode}){update}',
    'status.swarm.tasks': '  {node}: {tasks}',
    'status.swarm.nodeDown': 'node {node} is {state}: its tasks were moved to the other nodes of the same role (if any)',
  },
  {
    'cmd.cluster':
      '多台服务器上的 Docker Swarm：在第一台上 init，其余 join，查看状态，标记角色（edge、app、data），排空节点，退出',
    'cluster.col.node': '节点',
    'cluster.col.role': '角色',
    'cluster.col.roles': '标签',
    'cluster.col.state': '状态',
    'cluster.col.address': '地址',
    'cluster.col.resources': '资源',
    'cluster.col.engine': '引擎',
    'cluster.status.ok': '共 {count} 个节点；每个角色（edge、app、data）都有就绪的节点',
    'cluster.status.missing': '没有就绪节点带有角色 {roles}：请用 stack-wizard cluster label <节点> <角色> 标记一个',
    'cluster.status.severalData':
      '有 {count} 个节点标记为 data：数据库固定在某一节点的数据卷上，请只给一个节点打此标签',
    'cluster.init.done': '已在 {address}（内网地址；Swarm 只监听此地址）上启动 Swarm；本节点角色为 {roles}',
    'cluster.init.join': '在其余每台服务器上安装 stack-wizard 后运行（令牌可让服务器加入集群，请妥善保管）：',
    'cluster.init.label': '然后在本机为每个节点指定角色：stack-wizard cluster label <节点> edge|app|data[,…]',
    'cluster.join.done': '已加入 {manager} 的 Swarm，本机通告地址 {address}',
    'cluster.leave.done': '本服务器已退出 Swarm',
    'cluster.drain.done': '{node} 已排空：其上的任务将迁移到其他节点',
    'cluster.label.done': '{node} 的角色现为 {roles}',
    'cluster.err.subcommand': 'cluster 需要 init、join、status、leave、drain、label 之一（收到 "{value}"）',
    'cluster.err.missing': 'cluster {sub} 需要 {what}',
    'cluster.err.role': '未知角色 "{role}"：角色为 {roles}，用逗号分隔',
    'cluster.err.nodeRef': '节点 "{node}" 不是节点 ID 或主机名（字母、数字、. _ -）：见 stack-wizard cluster status',
    'cluster.err.noNode': '本 Swarm 中没有节点 "{node}"：{detail}',
    'cluster.err.manager': '<manager> "{value}" 应为管理节点的主机名或地址，可带 :端口（即 cluster init 打印的内容）',
    'cluster.err.token':
      '<token> 不是 Swarm 加入令牌（SWMTKN-1-…）：请从 cluster init 打印的命令中复制，或在管理节点运行 docker swarm join-token worker',
    'cluster.err.already': '本服务器已在一个 Swarm 中（状态 {state}）：请先运行 stack-wizard cluster leave',
    'cluster.err.notInSwarm': '本服务器不在 Swarm 中（状态 {state}）：请运行 stack-wizard cluster init 或 cluster join',
    'cluster.err.notManager': '请在 Swarm 的管理节点（运行过 cluster init 的服务器）上运行',
    'cluster.err.leaveManager': '本服务器是管理节点：退出可能使所有节点的 Swarm 失效；确认请加 --yes',
    'cluster.err.notLocal': '--advertise-addr {address} 不是本服务器的地址（本机地址：{candidates}）',
    'cluster.err.public':
      '--advertise-addr {address} 是公网地址：Swarm 流量会经过互联网；请使用内网地址（{candidates}），或加上 --public --encrypted',
    'cluster.err.publicUnencrypted':
      '--advertise-addr {address} 是公网地址：请加 --encrypted 并在应答文件中设置 swarm.encrypted: true，或使用内网地址',
    'cluster.err.noPrivate':
      '本服务器没有可运行 Swarm 的内网地址（本机地址：{candidates}）：请把服务器接入同一内网，或传入 --advertise-addr IP --public --encrypted',
    'cluster.err.severalPrivate': '本服务器有多个内网地址（{candidates}）：请用 --advertise-addr IP 指定一个',
    'cluster.err.docker': 'docker 执行失败：{detail}',
    'swarm.sizedFor': '  {service}：每个任务 {memory} MiB、{cpus} CPU，按节点 {node}（{nodeMiB} MiB）与 {with} 共处时的资源确定',
    'swarm.waitConverged': '等待每个服务的全部任务运行且健康（最多 {seconds} 秒）',
    'swarm.notConverged': '尚未收敛：{services}',
    'swarm.err.notManager':
      'deploy: swarm 需要在 Swarm 管理节点上部署，而本服务器不是（Swarm 状态 {state}）：请先在此运行 stack-wizard cluster init，或在管理节点上运行',
    'swarm.err.rolledBack': 'Swarm 已将 {services} 回滚到上一版本：新任务未通过健康检查（上一版本仍在服务）',
    'swarm.err.notConverged':
      '{services} 未能在时限内让全部任务运行且健康：请查看 stack-wizard status、docker service ps，以及所需角色的节点是否就绪（cluster status）',
    'status.swarm.head': 'Swarm 栈 {project}：{count} 个服务',
    'status.swarm.service': '{service}：{running}/{desired} 运行中（{mode}）{update}',
    'status.swarm.tasks': '  {node}：{tasks}',
    'status.swarm.nodeDown': '节点 {node} 状态为 {state}：其任务已迁移到同角色的其他节点（如有）',
  },
);
