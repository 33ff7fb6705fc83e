import { defineCatalog } from '../define.js';

// Restore drills, the dead-man's switch (backup watch), off-site copies (backup s3, restore --from-s3), and their status lines.
export const drill = defineCatalog(
  {
    'step.backupTimers': 'Restore drill and watch timers (answers backup.drill, notify)',
    'bk.checksumLine': '{table}: CHECKSUM TABLE {expected} in the manifest, {actual} after loading',
    'bk.verifyChecksumsOk':
      'database: CHECKSUM TABLE of {compared} table(s) as in the manifest ({skipped} changed while they were dumped: not compared)',
    'bk.waitingLock': 'waiting for the {what} that holds the maintenance lock (pid {pid}) to finish',
    'err.bk.checksumsDiffer':
      'backup {id} does not load as recorded: {count} table(s) have other contents (CHECKSUM TABLE) than the manifest',

    'dr.starting': 'Restore drill of backup {id}: throwaway containers, no network, removed afterwards',
    'dr.newest': 'the newest backup',
    'dr.dryRun':
      'dry run: a restore drill of {id} would load it into throwaway containers and record the outcome in .stack-wizard/drills.jsonl',
    'dr.noBackup': 'there is no complete backup to drill in {dir}',
    'dr.passed': 'Restore drill of backup {id} passed in {seconds}',
    'dr.parts':
      'checksums {checksums}, database {database} (load {load}, CHECKSUM TABLE {sums}), Redis {redis}, archives {archives}',
    'dr.content':
      '{tables} table(s) with {rows} row(s), {checksummed} CHECKSUM TABLE match(es) ({skipped} skipped), {keys} Redis key(s), {archives} archive(s) read',
    'dr.failed': 'Restore drill of backup {id} FAILED after {seconds}: {reason}',

    'wt.allOk': 'watch: nothing wrong ({count} condition(s) checked)',
    'wt.firing': 'watch: {count} problem(s):',
    'wt.sent': '{send} for {key}: {ok} of {total} channel(s) accepted it',

    's3.downloading': 'download {name} ({size} bytes)',
    's3.pruned': 'bucket retention (backup.s3.keep = {keep}) removed {count} older backup(s): {ids}',
    's3.incomplete': '(incomplete: no manifest)',
    's3.step.credentials': 'keys',
    's3.step.put': 'PUT',
    's3.step.get': 'GET',
    's3.step.delete': 'DELETE',
    's3.step.list': 'LIST backups',
    's3.testOk': 'the bucket {bucket} works: write, read back, delete and list all succeeded',
    's3.testFailed':
      'the bucket {bucket} failed at step {step}: see its line above (endpoint, bucket, region, addressing, keys)',
    'err.s3.badSub': 'unknown "backup s3 {sub}": use backup s3 test',
    'err.s3.notConfigured': 'no bucket configured: set backup.s3 (endpoint, bucket, credentialsFile) in {file}',
    'err.s3.alreadyLocal': 'backup {id} is already here ({dir}): restore it with stack-wizard restore {id}',
    'err.s3.unknownId': 'the bucket {bucket} has no complete backup {id}; it has: {known}',
    'err.s3.downloadDamaged':
      "backup {id}: {name} arrived as {bytes} bytes with sha256 {sha256}, not the manifest's {expected}; nothing was restored",

    'rs.s3Fetching': 'fetching backup {id} from the bucket {bucket}',
    'rs.s3Fetched': 'fetched backup {id}: {files} file(s), {size}, each as in its manifest, into {dir}',
    'rs.s3Local': 'backup {id} is already here: not fetched again',
    'rs.s3Config':
      "the stack's configuration was unpacked from the backup into {dir} ({count} file(s); files already there kept)",
    'rs.s3Rebuild': 'setting the stack up again from that configuration in {dir}',
    'err.rs.s3NeedsYes':
      "the stack is not installed here: with --yes, init rebuilds it from the backup's configuration and backup {id} is restored into it (stack-wizard restore --from-s3 {id} --answers {answers} --yes)",
    'err.rs.twoIds': 'two backups named: {id} and --from-s3 {s3}; name one',
    'err.rs.noConfigArchive':
      'backup {id} has no config archive: the stack cannot be rebuilt from it; run init with your answers first',

    'nt.testAllOk': 'all {total} channel(s) accepted the test message',
    'nt.testSomeFailed':
      '{ok} of {total} channel(s) accepted the test message: fix the others (the answer above says why)',
    'nt.err.secretFile': 'cannot read the secret file {file}',
    'nt.err.secretEmpty': 'the secret file {file} is empty',
    'nt.err.caFile': 'cannot read the CA file {file}',
    'nt.warn.secretMode': '{file} is readable by others (mode {mode}): chmod 600 {file}',
    'err.nt.noChannels':
      'no notification channels: add notify.channels to {file} (wecom, dingtalk, feishu, webhook, email)',
    'err.nt.badSub': 'unknown "notify {sub}": use notify test',

    'status.lastBackup': 'last backup {id}: {age} ago, {size}',
    'status.noBackup': 'no backup yet: stack-wizard backup',
    'status.lastDrill': 'last restore drill ({id}): passed {age} ago in {seconds} s',
    'status.lastDrillFailed': 'last restore drill ({id}) FAILED {age} ago: {error}',
    'status.noDrill': 'no restore drill yet: stack-wizard backup drill',
    'status.lastRemote': 'last off-site copy ({id}) in {bucket}: {age} ago',
    'status.lastRemoteFailed': 'last off-site copy ({id}) to {bucket} FAILED {age} ago: {error}',
  },
  {
    'step.backupTimers': '恢复演练和巡检定时器（answers backup.drill、notify）',
    'bk.checksumLine': '{table}：清单中 CHECKSUM TABLE 为 {expected}，载入后为 {actual}',
    'bk.verifyChecksumsOk':
      '数据库：{compared} 张表的 CHECKSUM TABLE 与清单一致（{skipped} 张表在导出期间有变化：未比较）',
    'bk.waitingLock': '等待持有维护锁的 {what}（pid {pid}）结束',
    'err.bk.checksumsDiffer': '备份 {id} 载入后与记录不符：{count} 张表的内容（CHECKSUM TABLE）与清单不同',

    'dr.starting': '备份 {id} 的恢复演练：一次性容器，无网络，结束后删除',
    'dr.newest': '最新的备份',
    'dr.dryRun': '演练模式：会把 {id} 载入一次性容器做恢复演练，并把结果记录到 .stack-wizard/drills.jsonl',
    'dr.noBackup': '{dir} 中没有可演练的完整备份',
    'dr.passed': '备份 {id} 的恢复演练通过，用时 {seconds}',
    'dr.parts':
      '校验和 {checksums}，数据库 {database}（载入 {load}，CHECKSUM TABLE {sums}），Redis {redis}，归档 {archives}',
    'dr.content':
      '{tables} 张表共 {rows} 行，{checksummed} 张表 CHECKSUM TABLE 一致（跳过 {skipped}），{keys} 个 Redis 键，读取了 {archives} 个归档',
    'dr.failed': '备份 {id} 的恢复演练失败（用时 {seconds}）：{reason}',

    'wt.allOk': '巡检：一切正常（检查了 {count} 项）',
    'wt.firing': '巡检：发现 {count} 个问题：',
    'wt.sent': '{key} 的 {send}：{total} 个通道中有 {ok} 个已接收',

    's3.downloading': '下载 {name}（{size} 字节）',
    's3.pruned': '存储桶保留策略（backup.s3.keep = {keep}）删除了 {count} 个旧备份：{ids}',
    's3.incomplete': '（不完整：没有清单）',
    's3.step.credentials': '密钥',
    's3.step.put': 'PUT',
    's3.step.get': 'GET',
    's3.step.delete': 'DELETE',
    's3.step.list': '列出备份',
    's3.testOk': '存储桶 {bucket} 可用：写入、读回、删除和列出全部成功',
    's3.testFailed': '存储桶 {bucket} 在 {step} 这一步失败：见上面那一行（端点、存储桶、区域、寻址方式、密钥）',
    'err.s3.badSub': '未知的 "backup s3 {sub}"：请用 backup s3 test',
    'err.s3.notConfigured': '没有配置存储桶：请在 {file} 中设置 backup.s3（endpoint、bucket、credentialsFile）',
    'err.s3.alreadyLocal': '备份 {id} 已在本机（{dir}）：用 stack-wizard restore {id} 恢复',
    'err.s3.unknownId': '存储桶 {bucket} 中没有完整的备份 {id}；已有：{known}',
    'err.s3.downloadDamaged':
      '备份 {id}：{name} 下载后为 {bytes} 字节、sha256 {sha256}，与清单的 {expected} 不符；没有恢复任何东西',

    'rs.s3Fetching': '从存储桶 {bucket} 取回备份 {id}',
    'rs.s3Fetched': '已取回备份 {id}：{files} 个文件，{size}，均与清单一致，存放在 {dir}',
    'rs.s3Local': '备份 {id} 已在本机：不再下载',
    'rs.s3Config': '已从备份中把栈的配置解包到 {dir}（{count} 个文件；已存在的文件保留）',
    'rs.s3Rebuild': '按该配置在 {dir} 重新部署栈',
    'err.rs.s3NeedsYes':
      '本机没有安装该栈：加上 --yes 后，init 会按备份中的配置重建它，再把备份 {id} 恢复进去（stack-wizard restore --from-s3 {id} --answers {answers} --yes）',
    'err.rs.twoIds': '指定了两个备份：{id} 和 --from-s3 {s3}；只能指定一个',
    'err.rs.noConfigArchive': '备份 {id} 没有配置归档：无法据此重建栈；请先用你的 answers 运行 init',

    'nt.testAllOk': '全部 {total} 个通道都接收了测试消息',
    'nt.testSomeFailed': '{total} 个通道中有 {ok} 个接收了测试消息：请修复其余通道（上面的应答说明了原因）',
    'nt.err.secretFile': '无法读取密钥文件 {file}',
    'nt.err.secretEmpty': '密钥文件 {file} 是空的',
    'nt.err.caFile': '无法读取 CA 文件 {file}',
    'nt.warn.secretMode': '{file} 可被其他用户读取（权限 {mode}）：请执行 chmod 600 {file}',
    'err.nt.noChannels': '没有通知通道：请在 {file} 中添加 notify.channels（wecom、dingtalk、feishu、webhook、email）',
    'err.nt.badSub': '未知的 "notify {sub}"：请用 notify test',

    'status.lastBackup': '最近一次备份 {id}：{age} 前，{size}',
    'status.noBackup': '还没有备份：stack-wizard backup',
    'status.lastDrill': '最近一次恢复演练（{id}）：{age} 前通过，用时 {seconds} 秒',
    'status.lastDrillFailed': '最近一次恢复演练（{id}）{age} 前失败：{error}',
    'status.noDrill': '还没有恢复演练：stack-wizard backup drill',
    'status.lastRemote': '最近一次异地副本（{id}）在 {bucket}：{age} 前',
    'status.lastRemoteFailed': '最近一次异地副本（{id}）复制到 {bucket} {age} 前失败：{error}',
  },
);
