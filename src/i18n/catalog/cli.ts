// The command line's own messages (#22.12, #22.13): unknown flags, help, errors as JSON, the
// host-readiness doctor without a stack.
import { defineCatalog } from '../define.js';

export const cli = defineCatalog(
  {
    'help.helpCommand':
      'help: this list, or one command and its flags (stack-wizard help doctor); version: the version',
    'help.flags': 'Flags:',
    'err.unknownFlag': '{command}: unknown option {flag}. Run {help} to see its options',
    'err.unknownFlagSuggest':
      '{command}: unknown option {flag}; did you mean {suggestion}? Run {help} to see its options',
    'err.flagNeedsValue':
      '{command}: {flag} needs a value ({flag} VALUE, or {flag}=VALUE for one starting with -). Run {help} to see its options',
    'err.flagNoValue': '{command}: {flag} takes no value (given "{value}"); write {flag} alone',
    'rd.header': 'No stack is installed here. Is this host ready for one (the default stack, preset auto)?',
    'rd.dnsOk': 'DNS: {name} resolves ({addresses})',
    'rd.dnsFail':
      'DNS: {name} does not resolve ({error}): image pulls from Docker Hub will fail unless a registry mirror serves them. Check /etc/resolv.conf and the network',
    'rd.mirrorsOk': 'mirrors ({kind}): {live} of {total} candidates answer; the fastest is {best} ({ms} ms)',
    'rd.mirrorsNone':
      'mirrors ({kind}): none of {total} candidates answers; with region cn, installs from this host will be slow or fail. Check the network, or name your own with --mirror {kind}=URL',
    'rd.ready': 'Ready: run stack-wizard (or stack-wizard init) as root to set up a stack.',
    'rd.readyWarn':
      'Ready, with {warns} warning(s) above. Run stack-wizard (or stack-wizard init) as root to set up a stack.',
    'rd.notReady':
      'Not ready: {errors} problem(s) and {warns} warning(s) above; fix the problems, then run stack-wizard as root.',
    // A command line that needs a shell (#22.11): what was found, where, and the way out.
    'v.cmdline.pipe':
      'a pipe ("{text}" at character {at}) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.list':
      'a command list ("{text}" at character {at}: &&, ||, ; or &) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.redirect':
      'a redirection ("{text}" at character {at}) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.substitution':
      'a command substitution ("{text}" at character {at}) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.variable':
      'a variable ("{text}" at character {at}; put values in app.env instead) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.glob':
      'a file pattern ("{text}" at character {at}; quote it to pass it as it is) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.tilde':
      'a home folder ("~" at character {at}; write the full path) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.comment':
      'a comment ("#" at character {at}; quote it to pass it as it is) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.assignment':
      'a variable assignment ("{text}" at character {at}; put it in app.env instead) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.subshell':
      'a subshell or group ("{text}" at character {at}) needs a shell, and stack-wizard runs this command without one: put the line in a script in the image and give its path, or write the list form ["sh", "-c", "…"] in the answers file',
    'v.cmdline.newline':
      'holds a line break (character {at}): a command is one line; put several in a script in the image',
    'v.cmdline.unterminated':
      'a quote or backslash ("{text}" at character {at}) is not closed: close the quote, or quote the backslash',
    // Docker running but its socket refused to this account (#22.8).
    'probe.dockerDenied': 'running, but no permission to use its socket; run as root or join the docker group',
    'host.dockerDenied':
      'Docker runs, but this account may not use its socket: run as root, or join the docker group (usermod -aG docker USER, then log in again)',
    'pf.dockerDenied':
      'Docker {have} runs, but {user} may not use its socket: run as root (init needs root anyway), or join the docker group',
    // Words that code used to insert in English into Chinese lines (#22.9); the English stays as it was.
    'v.kind.string': 'string',
    'v.kind.number': 'number',
    'v.kind.int': 'integer',
    'v.kind.boolean': 'boolean',
    'v.kind.list': 'list',
    'v.kind.mapping': 'mapping',
    'v.kind.null': 'null',
    'probe.kernel': 'kernel {kernel}',
    'probe.systemd': 'systemd: {state}',
    'probe.yes': 'yes',
    'probe.no': 'no',
    'ssh.source.listening': 'listening',
    'ssh.source.sshd-config': 'sshd-config',
    'ssh.source.default': 'default',
    'ssh.source.none': 'none',
    'chg.write': 'write {path}',
    'chg.writeWhy': 'write {path} ({why})',
    'chg.remove': 'remove {path}',
    'chg.notUp': '  not running or not healthy: {services}',
    'chg.orphans': '  remove: {services}',
    'chg.newImage': '  new image: {services}',
    'chg.fileReload': '  reload {service} ({file} changed)',
    'chg.fileRestart': '  restart {service} ({file} changed)',
    'chg.waitHealthy': '  wait until healthy (at most {seconds} s)',
    'warn.overrideNoTag':
      'images.{service} {image} has no tag, so it means :latest: every pull may bring another version, and the generated config is checked against none in particular; give a version tag (e.g. {image}:1.2.3)',
    'chg.dockerInstall': "apt-get install {packages} ({repo}); if unreachable: the distribution's docker.io",
    'chg.composeInstall':
      "apt-get install docker-compose-plugin ({repo}); if unreachable: the distribution's Compose v2",
  },
  {
    'help.helpCommand': 'help：显示本列表，或某个命令及其选项（stack-wizard help doctor）；version：显示版本',
    'help.flags': '选项：',
    'err.unknownFlag': '{command}：未知选项 {flag}。运行 {help} 查看可用选项',
    'err.unknownFlagSuggest': '{command}：未知选项 {flag}；您是想用 {suggestion} 吗？运行 {help} 查看可用选项',
    'err.flagNeedsValue':
      '{command}：{flag} 需要一个值（{flag} VALUE；值以 - 开头时写成 {flag}=VALUE）。运行 {help} 查看可用选项',
    'err.flagNoValue': '{command}：{flag} 不接受值（收到“{value}”）；只写 {flag} 即可',
    'rd.header': '本机尚未安装服务栈。检查本机能否部署一个（默认服务栈，规格 auto）：',
    'rd.dnsOk': '域名解析：{name} 可以解析（{addresses}）',
    'rd.dnsFail':
      '域名解析：{name} 无法解析（{error}）：除非有镜像加速器提供镜像，否则从 Docker Hub 拉取镜像会失败。请检查 /etc/resolv.conf 和网络',
    'rd.mirrorsOk': '镜像源（{kind}）：{total} 个候选中有 {live} 个有响应；最快的是 {best}（{ms} 毫秒）',
    'rd.mirrorsNone':
      '镜像源（{kind}）：{total} 个候选都没有响应；选择地区 cn 时，本机的安装会很慢或失败。请检查网络，或用 --mirror {kind}=URL 指定自己的镜像源',
    'rd.ready': '已就绪：以 root 身份运行 stack-wizard（或 stack-wizard init）即可部署服务栈。',
    'rd.readyWarn':
      '已就绪，但有上面 {warns} 条警告。以 root 身份运行 stack-wizard（或 stack-wizard init）即可部署服务栈。',
    'rd.notReady': '未就绪：上面有 {errors} 个问题和 {warns} 条警告；解决问题后再以 root 身份运行 stack-wizard。',
    // 需要 shell 的命令行（#22.11）
    'v.cmdline.pipe':
      '管道（第 {at} 个字符处的“{text}”）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.list':
      '命令列表（第 {at} 个字符处的“{text}”：&&、||、; 或 &）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.redirect':
      '重定向（第 {at} 个字符处的“{text}”）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.substitution':
      '命令替换（第 {at} 个字符处的“{text}”）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.variable':
      '变量（第 {at} 个字符处的“{text}”；值请放在 app.env 中）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.glob':
      '文件通配符（第 {at} 个字符处的“{text}”；加引号即可原样传递）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.tilde':
      '主目录写法（第 {at} 个字符处的“~”；请写完整路径）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.comment':
      '注释（第 {at} 个字符处的“#”；加引号即可原样传递）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.assignment':
      '变量赋值（第 {at} 个字符处的“{text}”；请放在 app.env 中）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.subshell':
      '子 shell 或命令组（第 {at} 个字符处的“{text}”）需要 shell，而 stack-wizard 不经 shell 运行此命令：请把这行写成镜像里的脚本并填写其路径，或在应答文件中写成列表形式 ["sh", "-c", "…"]',
    'v.cmdline.newline': '含有换行（第 {at} 个字符）：命令只能是一行；多条命令请写成镜像里的脚本',
    'v.cmdline.unterminated': '第 {at} 个字符处的引号或反斜杠（“{text}”）没有闭合：请补上引号，或给反斜杠加引号',
    // Docker 在运行，但当前账户无权使用其套接字（#22.8）
    'probe.dockerDenied': '正在运行，但无权使用其套接字；请以 root 身份运行，或加入 docker 组',
    'host.dockerDenied':
      'Docker 正在运行，但当前账户无权使用其套接字：请以 root 身份运行，或加入 docker 组（usermod -aG docker 用户名，然后重新登录）',
    'pf.dockerDenied':
      'Docker {have} 正在运行，但 {user} 无权使用其套接字：请以 root 身份运行（init 本来就需要 root），或加入 docker 组',
    // 以前由代码以英文插入中文行的词（#22.9）
    'v.kind.string': '文本',
    'v.kind.number': '数字',
    'v.kind.int': '整数',
    'v.kind.boolean': '布尔值（true 或 false）',
    'v.kind.list': '列表',
    'v.kind.mapping': '键值映射',
    'v.kind.null': '空值（null）',
    'probe.kernel': '内核 {kernel}',
    'probe.systemd': 'systemd：{state}',
    'probe.yes': '有',
    'probe.no': '无',
    'ssh.source.listening': '正在监听',
    'ssh.source.sshd-config': '取自 sshd 配置',
    'ssh.source.default': '默认值',
    'ssh.source.none': '未发现',
    'chg.write': '写入 {path}',
    'chg.writeWhy': '写入 {path}（{why}）',
    'chg.remove': '删除 {path}',
    'chg.notUp': '  未运行或不健康：{services}',
    'chg.orphans': '  删除：{services}',
    'chg.newImage': '  新镜像：{services}',
    'chg.fileReload': '  重新加载 {service}（{file} 已改动）',
    'chg.fileRestart': '  重启 {service}（{file} 已改动）',
    'chg.waitHealthy': '  等待健康检查通过（最多 {seconds} 秒）',
    'warn.overrideNoTag':
      'images.{service} {image} 没有标签，等同于 :latest：每次拉取都可能换成另一个版本，生成的配置也无法针对确定的版本检查；请写明版本标签（例如 {image}:1.2.3）',
    'chg.dockerInstall': 'apt-get install {packages}（{repo}）；无法访问时改用发行版自带的 docker.io',
    'chg.composeInstall': 'apt-get install docker-compose-plugin（{repo}）；无法访问时改用发行版自带的 Compose v2',
  },
);
