import { defineCatalog } from '../define.js';

// Major upgrades of the database server (`update --to-series`) and the versions check (`update --check`).
export const upgrade = defineCatalog(
  {
    'err.upg.unknownSeries': '--to-series {to}: {engine} has no series {to} (database.version may be {series})',
    'err.upg.same':
      '--to-series {series}: the stack already runs {engine} {series} (database.version); for newer patch releases of it run stack-wizard update without --to-series',
    'err.upg.downgrade':
      '--to-series {to}: {engine} cannot go back from {from} to {to} (a server does not run on data a newer series wrote); to return to {to}, restore a backup taken while it ran (stack-wizard restore); upgrades from {from}: {targets}',
    'err.upg.skip':
      '--to-series {to}: {engine} upgrades one series at a time, {from} cannot go straight to {to}; first run stack-wizard update --to-series {next} --yes',
    'err.upg.imageNeeded':
      '--db-image: the answers name the database image themselves (images.mysql: {image}); name the {to} image with --db-image REF',
    'err.upg.imageSeries': '--db-image {image}: its tag is not of series {to}; name an image of {to}',
    'err.upg.imageInvalid':
      '--db-image {image}: not an image reference; write it as docker pulls it: [registry/]path[:tag][@sha256:…]',
    'err.upg.toSeriesWith': '--to-series cannot be combined with --rollback or --check',
    'err.upg.imageWithout': '--db-image is only taken with --to-series',
    'err.upg.checksFailed':
      'the {engine} {to} upgrade checks refuse this database: fix what is listed below on the running {from} server, then run the upgrade again (nothing was changed)',
    'err.upg.stepFailed': 'the {engine} upgrade step ({program}) failed with exit code {code}',
    'upg.plan': 'Database upgrade: {engine} {from} → {to} ({fromImage} → {toImage})',
    'upg.planSteps':
      'a backup first; the data directory copied aside; {engine} {to} started on the data; {step}; the health check; on any failure the copy, the files and {from} come back',
    'upg.stepSelf': 'the server upgrades its own system tables at start',
    'upg.stepRun': 'then {program} in its container',
    'upg.checking': 'pre-upgrade checks on the running {engine} {from}',
    'upg.checkOk': '✓ {check}',
    'upg.check.nativePassword': 'accounts using mysql_native_password (cannot log in on the new series)',
    'upg.fix.nativePassword':
      'ALTER USER … IDENTIFIED WITH caching_sha2_password BY …; (and a client that supports it)',
    'upg.check.floatAutoIncrement': 'FLOAT/DOUBLE columns with AUTO_INCREMENT (the upgrade fails on them)',
    'upg.fix.floatAutoIncrement': 'change the column to an integer type (ALTER TABLE … MODIFY …)',
    'upg.check.reservedWords':
      "names that are reserved words in the new series (quote them with backticks in the app's SQL)",
    'upg.fix.reservedWords': 'rename them, or quote every use with backticks',
    'upg.snapshot': 'copying the data directory aside ({volume}) while {engine} {from} is stopped',
    'upg.snapshotRestore': 'putting back the data directory as it was before the upgrade ({volume})',
    'upg.step': 'running {program} in the new {engine} {to} container',
    'upg.done': 'the database now runs {engine} {to}; database.version is {to} in the answers',
    'err.upg.checkWith': '--check only reads: it cannot be combined with --to-series, --rollback or --yes',
    'upc.service': 'SERVICE',
    'upc.running': 'RUNNING',
    'upc.series': 'SERIES',
    'upc.newest': 'NEWEST (versions data)',
    'upc.eol': 'END OF LIFE',
    'upc.due': 'DUE',
    'upc.eolDays': '{eol} ({days} d left)',
    'upc.eolEnded': '{eol} (ended {days} d ago)',
    'upc.eolNone': 'none published',
    'upc.untracked': 'not in the versions data',
    'upc.due.patch': 'newer patch {newest}: stack-wizard update',
    'upc.due.eol-soon': 'end of life within 90 days: plan the move to the next series',
    'upc.due.eol': 'past its end of life: move to a supported series',
    'upc.nothingDue': 'Nothing due (exit 0).',
    'upc.somethingDue': 'Something is due: a newer patch release, or an end of life within 90 days (exit 4).',
    'upc.ended':
      'A series in use is past its end of life (exit 5). The database moves with stack-wizard update --to-series; other services with a supported image in the answers.',
  },
  {
    'err.upg.unknownSeries': '--to-series {to}：{engine} 没有 {to} 系列（database.version 可以是 {series}）',
    'err.upg.same':
      '--to-series {series}：这个栈已经在运行 {engine} {series}（database.version）；要升级到它更新的补丁版本，请不带 --to-series 运行 stack-wizard update',
    'err.upg.downgrade':
      '--to-series {to}：{engine} 不能从 {from} 降回 {to}（服务器无法在更新系列写过的数据上运行）；要回到 {to}，请恢复它运行时做的备份（stack-wizard restore）；{from} 可以升级到：{targets}',
    'err.upg.skip':
      '--to-series {to}：{engine} 每次只能升级一个系列，{from} 不能直接升到 {to}；请先运行 stack-wizard update --to-series {next} --yes',
    'err.upg.imageNeeded':
      '--db-image：answers 里自己指定了数据库镜像（images.mysql：{image}）；请用 --db-image REF 指定 {to} 的镜像',
    'err.upg.imageSeries': '--db-image {image}：它的标签不属于 {to} 系列；请指定 {to} 的镜像',
    'err.upg.imageInvalid': '--db-image {image}：不是镜像引用；请按 docker pull 的写法：[registry/]path[:tag][@sha256:…]',
    'err.upg.toSeriesWith': '--to-series 不能和 --rollback 或 --check 一起用',
    'err.upg.imageWithout': '--db-image 只能和 --to-series 一起用',
    'err.upg.checksFailed':
      '{engine} {to} 的升级检查不接受这个数据库：请在正在运行的 {from} 上修正下面列出的问题，再重新升级（什么都没有改动）',
    'err.upg.stepFailed': '{engine} 的升级步骤（{program}）失败，退出码 {code}',
    'upg.plan': '数据库升级：{engine} {from} → {to}（{fromImage} → {toImage}）',
    'upg.planSteps':
      '先做备份；把数据目录复制到一旁；在这份数据上启动 {engine} {to}；{step}；健康检查；任何失败都会放回那份副本、原来的文件和 {from}',
    'upg.stepSelf': '服务器启动时自己升级系统表',
    'upg.stepRun': '然后在它的容器里运行 {program}',
    'upg.checking': '在正在运行的 {engine} {from} 上做升级前检查',
    'upg.checkOk': '✓ {check}',
    'upg.check.nativePassword': '使用 mysql_native_password 的账户（在新系列上无法登录）',
    'upg.fix.nativePassword': 'ALTER USER … IDENTIFIED WITH caching_sha2_password BY …;（客户端也要支持它）',
    'upg.check.floatAutoIncrement': '带 AUTO_INCREMENT 的 FLOAT/DOUBLE 列（升级会因它们失败）',
    'upg.fix.floatAutoIncrement': '把该列改成整数类型（ALTER TABLE … MODIFY …）',
    'upg.check.reservedWords': '在新系列里成为保留字的名字（应用的 SQL 里要用反引号括起来）',
    'upg.fix.reservedWords': '改名，或者在每处使用时用反引号括起来',
    'upg.snapshot': '在 {engine} {from} 停止期间把数据目录复制到一旁（{volume}）',
    'upg.snapshotRestore': '放回升级之前的数据目录（{volume}）',
    'upg.step': '在新的 {engine} {to} 容器里运行 {program}',
    'upg.done': '数据库现在运行 {engine} {to}；answers 里的 database.version 是 {to}',
    'err.upg.checkWith': '--check 只读取：不能和 --to-series、--rollback 或 --yes 一起用',
    'upc.service': '服务',
    'upc.running': '运行版本',
    'upc.series': '系列',
    'upc.newest': '最新（版本数据）',
    'upc.eol': '生命周期结束',
    'upc.due': '待办',
    'upc.eolDays': '{eol}（还剩 {days} 天）',
    'upc.eolEnded': '{eol}（已结束 {days} 天）',
    'upc.eolNone': '未公布',
    'upc.untracked': '不在版本数据中',
    'upc.due.patch': '有更新的补丁 {newest}：stack-wizard update',
    'upc.due.eol-soon': '90 天内结束生命周期：请规划换到下一个系列',
    'upc.due.eol': '已过生命周期结束日：请换到受支持的系列',
    'upc.nothingDue': '没有待办（退出码 0）。',
    'upc.somethingDue': '有待办：有更新的补丁版本，或 90 天内结束生命周期（退出码 4）。',
    'upc.ended':
      '有正在使用的系列已过生命周期结束日（退出码 5）。数据库用 stack-wizard update --to-series 升级；其他服务请在 answers 里设置受支持的镜像。',
  },
);
