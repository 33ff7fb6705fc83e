import { defineCatalog } from '../../define.js';

// Doctor, an interrupted restore or update (src/domain/doctor/checks-journals.ts).
export const journals = defineCatalog(
  {
    'doc.check.journals': 'Interrupted restore or update',

    // ---- interrupted restore / update (journals)
    'doc.journal.none': 'no restore or update was interrupted',
    'doc.journal.evidence': '{file}: started {started}, last step {updated}, written by process {pid}',
    'doc.journal.updateEvidence': '{file}: started {started}, written by process {pid}',
    'doc.journal.done': 'already replaced: {parts}',
    'doc.journal.restore': 'a restore of {id} was interrupted (phase {phase}): the data may be half replaced',
    'doc.journal.restoreExplain': 'The restore was stopped before it finished (killed, a crash, a reboot). Until it is finished or rolled back, stack-wizard refuses every other change to this stack: init, update, backup and doctor\'s fixes.',
    'doc.journal.restoreRunning': 'a restore of {id} is running now (process {pid}, phase {phase})',
    'doc.journal.fix.restoreFinish': 'finish it: stack-wizard restore --yes',
    'doc.journal.fix.restoreRollback': 'or put back the state from before it (backup {safety}): stack-wizard restore --rollback --yes',
    'doc.journal.update': 'an update started {started} was interrupted (phase {phase})',
    'doc.journal.updateExplain': 'The update was stopped before it finished (killed, a crash, a reboot); the images and files from before it are recorded. Until it is rolled back or finished, stack-wizard refuses every other change to this stack.',
    'doc.journal.updateRunning': 'an update is running now (process {pid}, phase {phase})',
    'doc.journal.updateUnreadable': 'the update journal {file} cannot be read',
    'doc.journal.fix.updateRollback': 'put back the images and files from before it (backup {id}): stack-wizard update --rollback --yes',
    'doc.journal.fix.updateFinish': 'or finish the update: stack-wizard update --yes',
    'doc.journal.fix.updateUnreadable': 'look at {file}: if no update is running and the stack is as you want it, remove the file; otherwise restore the backup taken before the update (stack-wizard restore)',
  },
  {
    'doc.check.journals': '被中断的恢复或更新',

    'doc.journal.none': '没有被中断的恢复或更新',
    'doc.journal.evidence': '{file}：开始于 {started}，最后一步 {updated}，由进程 {pid} 写入',
    'doc.journal.updateEvidence': '{file}：开始于 {started}，由进程 {pid} 写入',
    'doc.journal.done': '已替换：{parts}',
    'doc.journal.restore': '对 {id} 的恢复曾被中断（阶段 {phase}）：数据可能只替换了一半',
    'doc.journal.restoreExplain': '恢复在完成之前被停止了（被杀掉、崩溃或重启）。在它完成或回滚之前，stack-wizard 拒绝对这个栈做任何其他更改：init、update、backup 以及 doctor 的修复。',
    'doc.journal.restoreRunning': '对 {id} 的恢复正在进行（进程 {pid}，阶段 {phase}）',
    'doc.journal.fix.restoreFinish': '完成它：stack-wizard restore --yes',
    'doc.journal.fix.restoreRollback': '或放回恢复之前的状态（备份 {safety}）：stack-wizard restore --rollback --yes',
    'doc.journal.update': '开始于 {started} 的更新曾被中断（阶段 {phase}）',
    'doc.journal.updateExplain': '更新在完成之前被停止了（被杀掉、崩溃或重启）；更新之前的镜像和文件已记录。在它回滚或完成之前，stack-wizard 拒绝对这个栈做任何其他更改。',
    'doc.journal.updateRunning': '更新正在进行（进程 {pid}，阶段 {phase}）',
    'doc.journal.updateUnreadable': '无法读取更新日志 {file}',
    'doc.journal.fix.updateRollback': '放回更新之前的镜像和文件（备份 {id}）：stack-wizard update --rollback --yes',
    'doc.journal.fix.updateFinish': '或完成这次更新：stack-wizard update --yes',
    'doc.journal.fix.updateUnreadable': '查看 {file}：如果没有更新在运行，并且栈是你想要的状态，删除这个文件；否则恢复更新之前的备份（stack-wizard restore）',
  },
);
