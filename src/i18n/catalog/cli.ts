// The command line's own messages (#22.12, #22.13): unknown flags, help, errors as JSON, the
// host-readiness doctor without a stack.
import { defineCatalog } from '../define.js';

export const cli = defineCatalog(
  {
    'help.helpCommand': 'help: this list, or one command and its flags (stack-wizard help doctor); version: the version',
    'help.flags': 'Flags:',
    'err.unknownFlag': '{command}: unknown option {flag}. Run {help} to see its options',
    'err.unknownFlagSuggest': '{command}: unknown option {flag}; did you mean {suggestion}? Run {help} to see its options',
    'err.flagNeedsValue': '{command}: {flag} needs a value ({flag} VALUE, or {flag}=VALUE for one starting with -). Run {help} to see its options',
    'err.flagNoValue': '{command}: {flag} takes no value (given "{value}"); write {flag} alone',
    'rd.header': 'No stack is installed here. Is this host ready for one (the default stack, preset auto)?',
    'rd.dnsOk': 'DNS: {name} resolves ({addresses})',
    'rd.dnsFail': 'DNS: {name} does not resolve ({error}): image pulls from Docker Hub will fail unless a registry mirror serves them. Check /etc/resolv.conf and the network',
    'rd.mirrorsOk': 'mirrors ({kind}): {live} of {total} candidates answer; the fastest is {best} ({ms} ms)',
    'rd.mirrorsNone': 'mirrors ({kind}): none of {total} candidates answers; with region cn, installs from this host will be slow or fail. Check the network, or name your own with --mirror {kind}=URL',
    'rd.ready': 'Ready: run stack-wizard (or stack-wizard init) as root to set up a stack.',
    'rd.readyWarn': 'Ready, with {warns} warning(s) above. Run stack-wizard (or stack-wizard init) as root to set up a stack.',
    'rd.notReady': 'Not ready: {errors} problem(s) and {warns} warning(s) above; fix the problems, then run stack-wizard as root.',
  },
  {
    'help.helpCommand': 'help：显示本列表，或某个命令及其选项（stack-wizard help doctor）；version：显示版本',
    'help.flags': '选项：',
    'err.unknownFlag': '{command}：未知选项 {flag}。运行 {help} 查看可用选项',
    'err.unknownFlagSuggest': '{command}：未知选项 {flag}；您是想用 {suggestion} 吗？运行 {help} 查看可用选项',
    'err.flagNeedsValue': '{command}：{flag} 需要一个值（{flag} VALUE；值以 - 开头时写成 {flag}=VALUE）。运行 {help} 查看可用选项',
    'err.flagNoValue': '{command}：{flag} 不接受值（收到“{value}”）；只写 {flag} 即可',
    'rd.header': '本机尚未安装服务栈。检查本机能否部署一个（默认服务栈，规格 auto）：',
    'rd.dnsOk': '域名解析：{name} 可以解析（{addresses}）',
    'rd.dnsFail': '域名解析：{name} 无法解析（{error}）：除非有镜像加速器提供镜像，否则从 Docker Hub 拉取镜像会失败。请检查 /etc/resolv.conf 和网络',
    'rd.mirrorsOk': '镜像源（{kind}）：{total} 个候选中有 {live} 个有响应；最快的是 {best}（{ms} 毫秒）',
    'rd.mirrorsNone': '镜像源（{kind}）：{total} 个候选都没有响应；选择地区 cn 时，本机的安装会很慢或失败。请检查网络，或用 --mirror {kind}=URL 指定自己的镜像源',
    'rd.ready': '已就绪：以 root 身份运行 stack-wizard（或 stack-wizard init）即可部署服务栈。',
    'rd.readyWarn': '已就绪，但有上面 {warns} 条警告。以 root 身份运行 stack-wizard（或 stack-wizard init）即可部署服务栈。',
    'rd.notReady': '未就绪：上面有 {errors} 个问题和 {warns} 条警告；解决问题后再以 root 身份运行 stack-wizard。',
  },
);
