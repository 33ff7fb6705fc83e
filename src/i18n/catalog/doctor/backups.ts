import { defineCatalog } from '../../define.js';

// Doctor, backups: the dead-man's switch's verdicts (src/domain/doctor/checks-backups.ts).
export const backups = defineCatalog(
  {
    'doc.check.backups': 'Backups, restore drills and off-site copies',
    'doc.bk.ev.newest': 'newest complete backup {id}, {age} old ({count} in all)',
    'doc.bk.ev.none': 'no complete backup',
    'doc.bk.ev.schedule': 'backup.schedule {schedule}, grace {grace}, drill {drill}',
    'doc.bk.ok': 'the newest backup ({id}) is on schedule',
    'doc.bk.notYetDue': 'no backup yet, and none is due yet',
    'doc.bk.scheduleOff': 'scheduled backups are off (backup.schedule: off)',
    'doc.bk.missing': 'no complete backup since the one scheduled at {due}: the nightly backup has stopped happening',
    'doc.bk.missingExplain':
      "The dead-man's switch counts a backup as missing when none has completed since its scheduled time plus the grace. The timer may be stopped or failing (a full disk, a stopped database, a changed password): a restore would bring back old data.",
    'doc.bk.drillFailed': 'the last restore drill (backup {id}, {at}) failed',
    'doc.bk.drillFailedExplain':
      'The drill loads the newest backup into throwaway containers and compares it with its manifest. A failure means that backup would not restore as recorded.',
    'doc.bk.drillStale': 'no restore drill has passed for {age}',
    'doc.bk.drillStaleExplain':
      'The weekly drill proves the backups restore. None has passed for more than two weeks: its timer is off or it keeps failing.',
    'doc.bk.remoteFailed': 'the last off-site copy (backup {id} to {bucket}, {at}) failed',
    'doc.bk.remoteExplain': 'Backups on this server alone are lost with it. The copy to the bucket did not complete.',
    'doc.bk.broken': 'backup folders without a readable manifest: {ids}',
    'doc.bk.brokenExplain':
      'A backup without its manifest cannot be checked or restored; retention leaves it for you to look at.',
    'doc.bk.noWatch': "the dead-man's switch (the watch timer) is not installed",
    'doc.bk.noWatchExplain':
      'Without the watch, nothing notices when backups stop or a drill fails, and no alert is sent.',
    'doc.bk.fix.logs':
      'see why the last run failed: journalctl -u stack-wizard-<project>-backup.service (or logs/backup-cron.log)',
    'doc.bk.fix.now': 'take one now: stack-wizard backup',
    'doc.bk.fix.verify': 'see what does not match: stack-wizard backup verify {id}',
    'doc.bk.fix.drill': 'run the drill now: stack-wizard backup drill',
    'doc.bk.fix.timers':
      'install the timers again: stack-wizard backup (it refreshes the schedule, the drill and the watch)',
    'doc.bk.fix.s3test': 'test the bucket: stack-wizard backup s3 test',
    'doc.bk.fix.broken': 'look at the folder under backups/; remove it if it is a leftover',
  },
  {
    'doc.check.backups': '备份、恢复演练和异地副本',
    'doc.bk.ev.newest': '最新的完整备份 {id}，已有 {age}（共 {count} 个）',
    'doc.bk.ev.none': '没有完整的备份',
    'doc.bk.ev.schedule': 'backup.schedule {schedule}，宽限 {grace}，演练 {drill}',
    'doc.bk.ok': '最新的备份（{id}）按计划完成',
    'doc.bk.notYetDue': '还没有备份，也还没到该备份的时间',
    'doc.bk.scheduleOff': '定时备份已关闭（backup.schedule: off）',
    'doc.bk.missing': '自计划于 {due} 的备份以来没有完整的备份：每晚的备份已经停了',
    'doc.bk.missingExplain':
      '死人开关的规则：计划时间加上宽限期之后仍没有完成的备份，就算缺失。定时器可能已停止或一直失败（磁盘满、数据库停了、密码改了）：这时恢复只能拿回旧数据。',
    'doc.bk.drillFailed': '最近一次恢复演练（备份 {id}，{at}）失败',
    'doc.bk.drillFailedExplain': '演练把最新的备份载入一次性容器并与清单比较。失败说明该备份无法按记录恢复。',
    'doc.bk.drillStale': '已有 {age} 没有通过的恢复演练',
    'doc.bk.drillStaleExplain': '每周的演练证明备份能恢复。超过两周没有通过：它的定时器关了，或者一直失败。',
    'doc.bk.remoteFailed': '最近一次异地副本（备份 {id} 到 {bucket}，{at}）失败',
    'doc.bk.remoteExplain': '只存在本服务器上的备份会随服务器一起丢失。复制到存储桶没有完成。',
    'doc.bk.broken': '没有可读清单的备份目录：{ids}',
    'doc.bk.brokenExplain': '没有清单的备份无法校验或恢复；保留策略不会删除它，留给你检查。',
    'doc.bk.noWatch': '死人开关（巡检定时器）没有安装',
    'doc.bk.noWatchExplain': '没有巡检，就没人发现备份停了或演练失败，也不会发送告警。',
    'doc.bk.fix.logs':
      '查看上次失败原因：journalctl -u stack-wizard-<project>-backup.service（或 logs/backup-cron.log）',
    'doc.bk.fix.now': '立即备份一次：stack-wizard backup',
    'doc.bk.fix.verify': '查看哪里不一致：stack-wizard backup verify {id}',
    'doc.bk.fix.drill': '立即做一次演练：stack-wizard backup drill',
    'doc.bk.fix.timers': '重新安装定时器：stack-wizard backup（它会刷新备份计划、演练和巡检）',
    'doc.bk.fix.s3test': '检测存储桶：stack-wizard backup s3 test',
    'doc.bk.fix.broken': '检查 backups/ 下的该目录；如果是残留就删除',
  },
);
