import { defineCatalog } from '../define.js';

// Physical copies of the database and point-in-time recovery from the binary log (#18).
export const pitr = defineCatalog(
  {
    'ph.method.physical': 'database: a physical copy of the data directory by {tool}',
    'ph.method.logical': 'database: a logical dump by {tool}',
    'rs.safetyTaken': 'safety backup {id}: {how}',
    'rs.safetyPhysical': 'a physical copy by {tool}',
    'rs.safetyLogical': 'a logical dump by {tool}',
    'rs.undo': 'To undo this restore: stack-wizard restore {safety} --yes ({how}).',
    'ph.prepared': '{tool} prepared the copy in {seconds} s (the redo copied meanwhile applied)',
    'ph.cloning': 'the clone plugin copies the data directory into {dir}',
    'ph.proved': 'a throwaway server started on the copy: {tables} table(s), {rows} row(s) counted in {seconds} s',
    'ph.verifyOk':
      'database: the copy starts a server; {tables} table(s), {rows} row(s), every count and checksum as in the manifest',
    'ph.swapped': 'database: data directory replaced; the database was down {seconds} s',
    'ph.verifyDb': 'unpacking and preparing the copy, then starting a throwaway {image} server on it (no network, removed afterwards)',
    'err.ph.prepare': '{tool} --prepare failed on the copy: {reason}',
    'err.ph.plugin':
      'the clone plugin cannot be loaded ({reason}): take a logical backup instead (stack-wizard backup --logical)',
    'err.ph.checksumsDiffer':
      'backup {id}: {count} table(s) have another CHECKSUM TABLE than the manifest: the copy is not what was backed up',
    'err.bk.methodBoth': '--physical and --logical exclude each other: give one (the default: a physical copy on MariaDB, a dump on MySQL)',
    'err.bl.notBinlog': 'the binary log {file} cannot be archived: {reason}',
    'bl.archived': 'binary logs: {count} closed file(s) archived ({bytes})',
    'bl.window': 'point-in-time recovery possible from {from} to {to} ({zone})',
    'bl.windowOpen': 'point-in-time recovery possible from {from} to now ({zone})',
    'bl.noWindow': 'point-in-time recovery: no backup with a binary log position yet',
    'bl.noBase': 'binary logs: no backup with a binary log position yet, nothing to archive for (take one: stack-wizard backup)',
    'bl.busy': 'binary logs: a {what} holds the maintenance lock (pid {pid}); the next run archives them',
    'bl.pruned': 'binary logs: {count} archived file(s) older than every backup removed',
    'bl.s3Sent': 'binary logs: {count} file(s) copied to the bucket {bucket} ({bytes})',
    'bl.s3Pruned': 'binary logs: {count} file(s) older than every backup removed from the bucket',
    'pitr.plan':
      'Restore to {moment} ({zone}): backup {id} of {created}, then {files} binary log file(s) replayed up to {moment}. A safety backup of the current state is taken first.',
    'pitr.replaying': 'replaying the binary log from {file}:{position} up to {stop} UTC',
    'pitr.replayed': 'binary log replayed: {files} file(s), {bytes} of events in {seconds} s',
    'pitr.done':
      'Restored to {moment} ({zone}) from backup {id} and the binary log; the stack is healthy. The state before is kept as backup {safety}.',
    'err.pitr.badMoment':
      '--to "{value}" is not a moment: write "YYYY-MM-DD HH:MM:SS" in the host\'s time zone ({zone}), e.g. --to "2026-12-07 11:59:59"',
    'err.pitr.future': '--to {moment} is in the future (now {now}): choose a moment that has passed',
    'err.pitr.outside':
      'no backup and binary log reach {moment}; recoverable: {windows}. Take a backup (stack-wizard backup) to start a window',
    'err.pitr.withId': '--to picks the backup itself: give either a backup ID or --to, not both',
    'err.pitr.noBinlog':
      'the binary log file {file} opened {opened} is neither archived nor on the server: the replay cannot reach {moment}',
    'err.pitr.replay': 'the binary log replay failed: {reason}',
    'err.rs.failedPart': 'the database did not come back healthy on the {part} put in place',
    'err.rs.physicalSeries':
      'backup {id} is a physical copy of {backup} and this stack runs {current}: a data directory starts only on the series that wrote it. Restore a logical backup instead (stack-wizard backup --logical on the {backup} server), or run {backup} here first',
  },
  {
    'ph.method.physical': '数据库：由 {tool} 对数据目录做物理复制',
    'ph.method.logical': '数据库：由 {tool} 做逻辑导出',
    'rs.safetyTaken': '安全备份 {id}：{how}',
    'rs.safetyPhysical': '由 {tool} 做的物理副本',
    'rs.safetyLogical': '由 {tool} 做的逻辑导出',
    'rs.undo': '撤销这次恢复：stack-wizard restore {safety} --yes（{how}）。',
    'ph.prepared': '{tool} 已在 {seconds} 秒内完成 prepare（应用了复制期间的 redo）',
    'ph.cloning': 'clone 插件正在把数据目录复制到 {dir}',
    'ph.proved': '在副本上启动的临时服务器：统计了 {tables} 张表、{rows} 行，用时 {seconds} 秒',
    'ph.verifyOk': '数据库：副本能启动服务器；{tables} 张表、{rows} 行，行数和校验和均与清单一致',
    'ph.swapped': '数据库：数据目录已替换；数据库停机 {seconds} 秒',
    'ph.verifyDb': '正在解包并 prepare 副本，然后在其上启动临时 {image} 服务器（无网络，用完即删）',
    'err.ph.prepare': '{tool} --prepare 处理副本失败：{reason}',
    'err.ph.plugin': '无法加载 clone 插件（{reason}）：请改做逻辑备份（stack-wizard backup --logical）',
    'err.ph.checksumsDiffer': '备份 {id}：有 {count} 张表的 CHECKSUM TABLE 与清单不同：副本不是当时备份的内容',
    'err.bk.methodBoth': '--physical 与 --logical 只能二选一（默认：MariaDB 做物理副本，MySQL 做逻辑导出）',
    'err.bl.notBinlog': '无法归档二进制日志 {file}：{reason}',
    'bl.archived': '二进制日志：已归档 {count} 个已关闭的文件（{bytes}）',
    'bl.window': '可恢复到的时间范围：{from} 至 {to}（{zone}）',
    'bl.windowOpen': '可恢复到的时间范围：{from} 至现在（{zone}）',
    'bl.noWindow': '按时间点恢复：还没有记录了二进制日志位置的备份',
    'bl.noBase': '二进制日志：还没有记录了二进制日志位置的备份，无需归档（先备份一次：stack-wizard backup）',
    'bl.busy': '二进制日志：{what}（pid {pid}）正持有维护锁；下次运行时再归档',
    'bl.pruned': '二进制日志：已删除 {count} 个比所有备份都旧的归档文件',
    'bl.s3Sent': '二进制日志：已把 {count} 个文件复制到存储桶 {bucket}（{bytes}）',
    'bl.s3Pruned': '二进制日志：已从存储桶删除 {count} 个比所有备份都旧的文件',
    'pitr.plan':
      '恢复到 {moment}（{zone}）：使用 {created} 的备份 {id}，再重放 {files} 个二进制日志文件直到 {moment}。会先为当前状态做安全备份。',
    'pitr.replaying': '从 {file}:{position} 重放二进制日志，直到 UTC {stop}',
    'pitr.replayed': '二进制日志已重放：{files} 个文件，{bytes} 事件，用时 {seconds} 秒',
    'pitr.done': '已用备份 {id} 和二进制日志恢复到 {moment}（{zone}）；服务健康。恢复前的状态保存为备份 {safety}。',
    'err.pitr.badMoment':
      '--to "{value}" 不是有效时刻：请按主机时区（{zone}）写成 "YYYY-MM-DD HH:MM:SS"，例如 --to "2026-12-07 11:59:59"',
    'err.pitr.future': '--to {moment} 在将来（现在是 {now}）：请选择已经过去的时刻',
    'err.pitr.outside':
      '没有备份和二进制日志能到达 {moment}；可恢复的范围：{windows}。先备份一次（stack-wizard backup）以开始一个范围',
    'err.pitr.withId': '--to 会自己选择备份：请只给备份 ID 或 --to 之一',
    'err.pitr.noBinlog': '{opened} 打开的二进制日志 {file} 既未归档也不在服务器上：重放无法到达 {moment}',
    'err.pitr.replay': '二进制日志重放失败：{reason}',
    'err.rs.failedPart': '换入 {part} 后数据库没有恢复健康',
    'err.rs.physicalSeries':
      '备份 {id} 是 {backup} 的物理副本，而本服务运行 {current}：数据目录只能在写出它的同一系列上启动。请改用逻辑备份（在 {backup} 服务器上运行 stack-wizard backup --logical），或先在这里运行 {backup}',
  },
);
