import { defineCatalog } from '../define.js';

// What the wizard and `status` draw beyond words (#22.5–7, #22.17): the edit keys of a text field,
// the review's state of a check step, the disk need as one sum, and memory bars inside the host's RAM.
export const screen = defineCatalog(
  {
    'ui.k.erase': 'delete',
    'ui.k.clear': 'clear',

    'ui.review.checksFailed': 'refused: see below',
    'ui.review.checksWarned': 'passed with warnings',
    'ui.review.checksPassed': 'passed',
    'ui.review.stepNote': '({note})',

    // Needed first, then free: the sum adds up to the parts shown (#22.7).
    'pf.disk.ok': 'disk at {path}: needs {need} GiB = {parts}; {free} GiB free',
    'pf.disk.tight':
      'disk at {path}: needs {need} GiB = {parts}; only {free} GiB free, little room left for growth and updates: free space or grow the disk soon',
    'pf.disk.short':
      'disk at {path}: needs {need} GiB = {parts}; only {free} GiB free: free space (docker system prune, old logs) or grow the disk',
    'pf.disk.unknown':
      'disk at {path}: needs {need} GiB = {parts}; the free space could not be measured, make sure it is there',
    'pf.disk.images': 'images {n}',
    'pf.disk.data': 'database {n}',
    'pf.disk.backups': 'backups {n}',

    'mem.title': "Memory inside this host's {host} MiB",
    'mem.legendPlan': "= the service's limit, . the rest of the host",
    'mem.legendUse': '# used now, = the rest of its limit, . the rest of the host',
    'mem.titled': '{title}: {legend}',
    'mem.all': 'all',
    'mem.plan': '{limit} MiB',
    'mem.use': '{used} of {limit} MiB',
    'mem.useNoLimit': '{used} MiB, no limit',
    'mem.notRunning': 'not running',
    'mem.useUnknown': 'use not reported by the Engine, limit {limit} MiB',
  },
  {
    'ui.k.erase': '删除',
    'ui.k.clear': '清空',

    'ui.review.checksFailed': '未通过：见下方',
    'ui.review.checksWarned': '通过，但有警告',
    'ui.review.checksPassed': '通过',
    'ui.review.stepNote': '（{note}）',

    'pf.disk.ok': '{path} 磁盘：需要 {need} GiB = {parts}；剩余 {free} GiB',
    'pf.disk.tight':
      '{path} 磁盘：需要 {need} GiB = {parts}；仅剩 {free} GiB，留给增长和更新的空间不多：请尽快清理或扩容',
    'pf.disk.short':
      '{path} 磁盘：需要 {need} GiB = {parts}；仅剩 {free} GiB：请清理空间（docker system prune、旧日志）或扩容磁盘',
    'pf.disk.unknown': '{path} 磁盘：需要 {need} GiB = {parts}；无法测量剩余空间，请确认空间足够',
    'pf.disk.images': '镜像 {n}',
    'pf.disk.data': '数据库 {n}',
    'pf.disk.backups': '备份 {n}',

    'mem.title': '各服务在本机 {host} MiB 内存中的占用',
    'mem.legendPlan': '= 该服务的上限，. 本机其余内存',
    'mem.legendUse': '# 当前使用，= 上限内其余部分，. 本机其余内存',
    'mem.titled': '{title}：{legend}',
    'mem.all': '合计',
    'mem.plan': '{limit} MiB',
    'mem.use': '{used} / {limit} MiB',
    'mem.useNoLimit': '{used} MiB，无上限',
    'mem.notRunning': '未运行',
    'mem.useUnknown': 'Docker 未报告用量，上限 {limit} MiB',
  },
);
