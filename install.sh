#!/usr/bin/env bash
# stack-wizard installer: from a fresh Debian/Ubuntu server to the running wizard.
#
#   curl -fsSL <url>/install.sh | bash
#   curl -fsSL <url>/install.sh | bash -s -- --lang zh-CN          # arguments go to the wizard
#   curl -fsSL <url>/install.sh | bash -s -- --region cn           # mainland-China mirrors
#   curl -fsSL <url>/install.sh | bash -s -- --uninstall
#
# It finds a root-owned Node.js >= 20.19 or installs a pinned LTS build into
# /opt/stack-wizard/_node, installs a pinned stack-wizard into /opt/stack-wizard/_cli, links
# /usr/local/bin/stack-wizard and starts it on the terminal. Run again to upgrade in place.
# Trust (#15.6): what root will run comes only from this script's pins, never from a mirror. The
# Node.js tarball must have the SHA-256 written below for the pinned build (or the one given in
# STACK_WIZARD_NODE_SHA256 for another build); the npm package must have the integrity stamped
# into the released copy of this script (or STACK_WIZARD_INTEGRITY), and is installed with
# --ignore-scripts; a Node.js already on the host is used only when root owns it and only root can
# write to it and every folder above it (never a sudoer's nvm Node); plain-http downloads are used
# only when such a pinned hash checks them.
# Environment: NODE_MIRROR, STACK_WIZARD_NODE_VERSION, STACK_WIZARD_NODE_SHA256, NPM_REGISTRY,
# STACK_WIZARD_VERSION, STACK_WIZARD_INTEGRITY, STACK_WIZARD_TARBALL (see --help). Exit codes: 0 ok,
# 1 a step failed (nothing half installed), 2 bad usage,
# 3 this host is not supported (system, processor, a missing program, no root or sudo).
# For tests only (a loopback server playing the mainland mirrors; not in --help):
# STACK_WIZARD_TEST_NODE_OFFICIAL=URL, STACK_WIZARD_TEST_NODE_MIRRORS_CN="URL …",
# STACK_WIZARD_TEST_NPM_REGISTRY_CN=URL replace the official Node.js site and the mainland lists.
#
# This file only defines functions; the last line runs them, so a truncated download runs nothing.
# That line is a brace group: cut anywhere before its closing brace (even right after sw_main,
# which would otherwise run without the arguments), bash finds it unfinished and runs nothing.

sw_defaults() {
  SW_VERSION=${STACK_WIZARD_VERSION:-0.1.0}   # the stack-wizard release (a test keeps it = package.json)
  SW_NODE_PIN=v24.21.0                        # Node.js LTS installed when no good Node is present
  SW_NODE_VERSION=${STACK_WIZARD_NODE_VERSION:-$SW_NODE_PIN}
  case $SW_NODE_VERSION in v*) ;; *) SW_NODE_VERSION=v$SW_NODE_VERSION ;; esac
  SW_NODE_MIN=20.19.0                         # package.json engines
  # The npm integrity (sha512) of the stack-wizard release SW_VERSION names. Empty in the
  # repository; `node scripts/stamp-installer.mjs <the release's npm pack tarball>` writes it into
  # the install.sh that is published, made from the same sources as that tarball (install.sh is
  # inside the package too, unstamped, so the value cannot be part of what it hashes).
  # sw-stamp-begin
  SW_CLI_PIN_FOR=''
  SW_CLI_PIN_INTEGRITY=''
  # sw-stamp-end
  # Where a Node.js root will run may be found: root's own PATH, never the invoking user's.
  SW_ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  SW_HOME=/opt/stack-wizard                   # also holds the stacks (/opt/stack-wizard/<project>)
  # "_" cannot start a project name ([a-z0-9-]), so these never collide with a stack's folder.
  SW_NODE_DIR=$SW_HOME/_node
  SW_CLI_DIR=$SW_HOME/_cli
  SW_WRAPPER=$SW_CLI_DIR/stack-wizard
  SW_MARKER=$SW_CLI_DIR/.installed-from
  SW_LINK=/usr/local/bin/stack-wizard
  SW_NODE_MIRROR_GLOBAL=${STACK_WIZARD_TEST_NODE_OFFICIAL:-https://nodejs.org/dist}
  # Mainland Node.js binary mirrors (nodejs.org/dist layout; the same as presets/mirrors.yaml):
  # all are probed at once and the fastest that has the build wins; the first is the default.
  SW_NODE_MIRRORS_CN=(
    https://registry.npmmirror.com/-/binary/node
    https://mirrors.tuna.tsinghua.edu.cn/nodejs-release
    https://mirrors.ustc.edu.cn/node
    https://repo.huaweicloud.com/nodejs
    https://mirrors.aliyun.com/nodejs-release
    https://mirrors.cloud.tencent.com/nodejs-release
  )
  if [ -n "${STACK_WIZARD_TEST_NODE_MIRRORS_CN:-}" ]; then
    read -r -a SW_NODE_MIRRORS_CN <<<"$STACK_WIZARD_TEST_NODE_MIRRORS_CN"
  fi
  SW_CN_NODE_BEST=''
  SW_NPM_REGISTRY_CN=${STACK_WIZARD_TEST_NPM_REGISTRY_CN:-https://registry.npmmirror.com}
  SW_PROBE_TIMEOUT=3                          # seconds per mirror probe; both run in parallel
  SW_TMP=''
  SW_STAGES=()
  SW_HOME_CREATED=0
  SW_REGION_DONE=''
  SW_SWAP_BACK=()
}

sw_messages() {
  declare -gA SW_EN SW_ZH
  SW_EN=(
    [prefix.err]='stack-wizard installer: error: '
    [usage]='Usage: curl -fsSL <url>/install.sh | bash -s -- [options] [wizard arguments]

Installs Node.js (when needed) and stack-wizard, then starts the wizard.

Options:
  --region cn|global|auto  mirrors for downloads (auto: probe both, pick the faster)
  --lang en|zh-CN          language of the installer and the wizard (default: from LANG)
  --uninstall              remove what this installer added (never the stacks or /etc/stack-wizard)
  -h, --help               this help
  --                       pass everything after it to the wizard
Other arguments are passed to the wizard (see: stack-wizard --help).

Environment:
  NODE_MIRROR=URL                   Node.js binaries (the layout of nodejs.org/dist)
  STACK_WIZARD_NODE_VERSION=vX.Y.Z  Node.js build to install (default %s, at least v20.19.0)
  STACK_WIZARD_NODE_SHA256=HEX      with another build: the SHA-256 of its node-vX.Y.Z-linux-ARCH.tar.gz
                                    (from nodejs.org/dist/vX.Y.Z/SHASUMS256.txt, read over HTTPS)
  NPM_REGISTRY=URL                  npm registry for stack-wizard
  STACK_WIZARD_VERSION=X.Y.Z        stack-wizard release to install (default %s)
  STACK_WIZARD_INTEGRITY=sha512-…   with another release: its integrity (npm view stack-wizard@X.Y.Z dist.integrity)
  STACK_WIZARD_TARBALL=F            install this package tarball (path or https URL) instead
'
    [err.optValue]='%s needs a value; see --help'
    [err.badRegion]='--region must be cn, global or auto, not "%s"'
    [err.badLang]='--lang must be en or zh-CN, not "%s"'
    [err.badNodeVersion]='STACK_WIZARD_NODE_VERSION must be a Node.js release vX.Y.Z of at least v%s, not "%s"'
    [err.badVersion]='STACK_WIZARD_VERSION must be a release number such as 1.2.3, not "%s"'
    [err.missingTool]='this installer needs "%s", which is not installed; install it (apt-get install %s) and run again'
    [err.noOsRelease]='cannot read /etc/os-release, so the system is unknown; supported: Debian 11/12/13, Ubuntu 22.04/24.04'
    [err.badOs]='%s is not supported; supported: Debian 11/12/13 and Ubuntu 22.04/24.04'
    [err.badArch]='the processor architecture %s is not supported; supported: x86_64 and arm64 (aarch64)'
    [err.noRoot]='this installer writes to /opt and /usr/local/bin: run it as root, or install sudo'
    [err.sudoNoTty]='sudo needs a password and there is no terminal to ask for it: run as root (sudo -i) or pipe into "sudo bash"'
    [err.download]='download failed: %s; check the network or choose another mirror (NODE_MIRROR=URL or --region)'
    [err.nodeNoPin]='Node.js %s is not the pinned build (%s), so this script knows no SHA-256 for it: give the SHA-256 of its .tar.gz in STACK_WIZARD_NODE_SHA256 (from nodejs.org/dist/%s/SHASUMS256.txt, read over HTTPS), or leave STACK_WIZARD_NODE_VERSION unset'
    [err.badSha256]='STACK_WIZARD_NODE_SHA256 must be 64 hexadecimal digits (a line of SHASUMS256.txt), not "%s"'
    [err.badIntegrity]='STACK_WIZARD_INTEGRITY must be an npm integrity sha512-<88 base64 characters> (npm view stack-wizard@VERSION dist.integrity), not "%s"'
    [err.noIntegrity]='this copy of install.sh carries no integrity for stack-wizard %s (a development copy, or another release): use the published install.sh, or set STACK_WIZARD_INTEGRITY=sha512-… (npm view stack-wizard@%s dist.integrity, from a registry you trust)'
    [err.integrity]='the stack-wizard package from %s is not the release this script pins (sha512 %s, expected %s); nothing was installed. The registry or the connection gave another file: try another NPM_REGISTRY'
    [err.httpNeedsIntegrity]='%s=%s is plain http, which anyone on the way can change: use https, or pin what it must be with STACK_WIZARD_INTEGRITY=sha512-…'
    [err.badUrl]='%s must be a URL (%s) without spaces or quotes, not "%s"'
    [err.homeUnsafe]='%s (or a folder above it) is not owned by root or can be written by other users: root will run programs from it. Fix its owner and mode (chown root:root, chmod go-w) and run again'
    [err.checksum]='checksum mismatch for %s (expected %s, got %s); nothing was installed. The mirror or the connection is corrupt: try again or set NODE_MIRROR'
    [err.extract]='cannot unpack %s into %s; check free disk space (df -h /opt)'
    [err.nodeBroken]='the Node.js just unpacked does not run (%s); nothing was installed'
    [err.npmInstall]='npm could not install %s (registry: %s); nothing was changed. Check the registry (NPM_REGISTRY=URL or --region) and run again'
    [err.cliBroken]='stack-wizard was installed but does not start (%s); nothing was changed'
    [err.cliVersion]='the registry gave stack-wizard %s, expected %s; nothing was changed'
    [err.tarballMissing]='STACK_WIZARD_TARBALL=%s does not exist; give a path to a .tgz or an http(s) URL'
    [err.linkTaken]='%s exists and was not installed by this script (%s); remove it (for example: npm uninstall -g stack-wizard) and run again'
    [err.write]='cannot write %s; check free disk space and permissions'
    [err.mkdir]='cannot create the folder %s; check free disk space (df -h %s) and that it is writable'
    [err.chmod]='cannot set the permissions of %s (chmod %s); nothing was installed'
    [err.tmp]='cannot create a temporary folder in %s; check free disk space (df -h %s)'
    [err.hash]='cannot compute the SHA-256 of %s (sha256sum failed); nothing was installed'
    [err.tarballRead]='cannot read STACK_WIZARD_TARBALL=%s (permissions?); nothing was installed'
    [err.swap]='cannot move the new %s into place; the previous one was put back'
    [err.linkDir]='cannot create %s for the stack-wizard command; check that /usr/local is writable'
    [err.remove]='cannot remove %s; remove it by hand (rm -rf %s) and run again'
    [err.sudoFailed]='sudo did not accept the password, or %s may not use sudo; nothing was changed. Run as root (sudo -i) or as a user sudo allows'
    [err.osReleaseBad]='/etc/os-release cannot be read as a shell fragment; the system is unknown'
    [err.unexpected]='unexpected failure (exit %s) at install.sh line %s: %s; nothing half-installed was left. Please report this'
    [err.start]='cannot start the wizard (%s); run it yourself when the problem is fixed'
    [info.platform]='System: %s, %s; running as %s'
    [info.region]='Region: %s (%s)'
    [info.regionGiven]='Region: %s (from --region)'
    [info.probeFail]='unreachable'
    [info.probeCnNone]='no mainland mirror answered'
    [info.nodeMirror]='Node.js mirror: %s (%s, the fastest that answered)'
    [info.probeNone]='no mirror answered; using the official sources'
    [info.nodeCurrent]='Node.js %s in %s is current'
    [info.nodeExisting]='Using the installed Node.js %s (%s)'
    [info.nodeTooOld]='The installed Node.js %s is older than %s; installing %s into %s'
    [info.nodeNoNpm]='The installed Node.js %s has no npm; installing %s into %s'
    [info.nodeNotRoot]='The installed Node.js %s (%s) is not owned by root alone (it, its npm or a folder above them can be changed by another user), and root will run stack-wizard with it: installing %s into %s'
    [info.integrityOk]='Package verified (sha512 as pinned)'
    [info.nodeNone]='No Node.js found; installing %s into %s'
    [info.nodeUpgrade]='Upgrading Node.js in %s from %s to %s'
    [info.download]='Downloading %s'
    [info.verified]='Checksum verified (SHA-256 %s)'
    [info.cliCurrent]='stack-wizard %s is current'
    [info.cliInstall]='Installing stack-wizard %s from %s'
    [info.cliUpgrade]='Upgrading stack-wizard from %s to %s (from %s)'
    [info.cliInstallFrom]='Installing stack-wizard from %s'
    [info.registryDefault]='npm'"'"'s default registry'
    [info.done]='Installed: %s (stack-wizard %s, Node.js %s)'
    [info.unchanged]='Nothing to change: everything is current'
    [info.start]='Starting the wizard…'
    [info.noTty]='There is no terminal here, so the wizard was not started. Run it next with:'
    [info.removed]='Removed %s'
    [info.notOurs]='Left %s alone: it was not installed by this script'
    [info.nothingToRemove]='Nothing to remove: stack-wizard is not installed by this script'
    [info.kept]='Kept the stack data: %s'
    [info.uninstalled]='stack-wizard is uninstalled'
    [info.recovered]='Put back %s, which an interrupted run had left aside'
  )
  SW_ZH=(
    [prefix.err]='stack-wizard 安装程序：错误：'
    [usage]='用法：curl -fsSL <url>/install.sh | bash -s -- [选项] [向导参数]

按需安装 Node.js 和 stack-wizard，然后启动向导。

选项：
  --region cn|global|auto  下载所用的镜像（auto：同时探测两边，选更快的）
  --lang en|zh-CN          安装程序和向导的语言（默认跟随 LANG）
  --uninstall              删除本安装程序添加的内容（不会删除服务栈及 /etc/stack-wizard）
  -h, --help               显示本帮助
  --                       其后的参数全部交给向导
其他参数原样交给向导（见 stack-wizard --help）。

环境变量：
  NODE_MIRROR=URL                   Node.js 二进制镜像（目录结构同 nodejs.org/dist）
  STACK_WIZARD_NODE_VERSION=vX.Y.Z  要安装的 Node.js 版本（默认 %s，至少 v20.19.0）
  STACK_WIZARD_NODE_SHA256=HEX      使用其他版本时：其 node-vX.Y.Z-linux-架构.tar.gz 的 SHA-256
                                    （取自 nodejs.org/dist/vX.Y.Z/SHASUMS256.txt，请经 HTTPS 读取）
  NPM_REGISTRY=URL                  安装 stack-wizard 所用的 npm 源
  STACK_WIZARD_VERSION=X.Y.Z        要安装的 stack-wizard 版本（默认 %s）
  STACK_WIZARD_INTEGRITY=sha512-…   使用其他版本时：其完整性值（npm view stack-wizard@X.Y.Z dist.integrity）
  STACK_WIZARD_TARBALL=F            改为安装这个软件包 tarball（路径或 https URL）
'
    [err.optValue]='%s 需要一个值，见 --help'
    [err.badRegion]='--region 只能是 cn、global 或 auto，而不是“%s”'
    [err.badLang]='--lang 只能是 en 或 zh-CN，而不是“%s”'
    [err.badNodeVersion]='STACK_WIZARD_NODE_VERSION 必须是不低于 v%s 的 Node.js 版本号 vX.Y.Z，而不是“%s”'
    [err.badVersion]='STACK_WIZARD_VERSION 必须是 1.2.3 这样的版本号，而不是“%s”'
    [err.missingTool]='本安装程序需要“%s”，但系统中没有；请先安装（apt-get install %s）再重新运行'
    [err.noOsRelease]='无法读取 /etc/os-release，无法识别系统；支持的系统：Debian 11/12/13、Ubuntu 22.04/24.04'
    [err.badOs]='不支持 %s；支持的系统：Debian 11/12/13 和 Ubuntu 22.04/24.04'
    [err.badArch]='不支持 %s 处理器架构；支持 x86_64 和 arm64（aarch64）'
    [err.noRoot]='本安装程序需要写入 /opt 和 /usr/local/bin：请以 root 身份运行，或先安装 sudo'
    [err.sudoNoTty]='sudo 需要密码，但当前没有终端可以输入：请以 root 身份运行（sudo -i），或改为通过管道交给“sudo bash”'
    [err.download]='下载失败：%s；请检查网络，或换一个镜像（NODE_MIRROR=URL 或 --region）'
    [err.nodeNoPin]='Node.js %s 不是固定的版本（%s），本脚本不知道它的 SHA-256：请在 STACK_WIZARD_NODE_SHA256 中给出其 .tar.gz 的 SHA-256（取自 nodejs.org/dist/%s/SHASUMS256.txt，请经 HTTPS 读取），或不设置 STACK_WIZARD_NODE_VERSION'
    [err.badSha256]='STACK_WIZARD_NODE_SHA256 必须是 64 位十六进制数（SHASUMS256.txt 中的一行），而不是“%s”'
    [err.badIntegrity]='STACK_WIZARD_INTEGRITY 必须是 npm 完整性值 sha512-<88 个 base64 字符>（npm view stack-wizard@版本 dist.integrity），而不是“%s”'
    [err.noIntegrity]='这份 install.sh 没有 stack-wizard %s 的完整性值（开发版副本，或是其他版本）：请使用发布的 install.sh，或设置 STACK_WIZARD_INTEGRITY=sha512-…（从可信的源执行 npm view stack-wizard@%s dist.integrity）'
    [err.integrity]='来自 %s 的 stack-wizard 软件包不是本脚本固定的版本（sha512 为 %s，应为 %s），未安装任何内容。npm 源或网络给出了其他文件：请换一个 NPM_REGISTRY'
    [err.httpNeedsIntegrity]='%s=%s 是明文 http，途经的任何人都能修改：请改用 https，或用 STACK_WIZARD_INTEGRITY=sha512-… 固定它应有的内容'
    [err.badUrl]='%s 必须是 URL（%s），不能含空格或引号，而不是“%s”'
    [err.homeUnsafe]='%s（或其上级目录）不属于 root，或可被其他用户写入：root 将从这里运行程序。请修正其所有者和权限（chown root:root，chmod go-w）后重新运行'
    [err.checksum]='%s 的校验和不符（应为 %s，实际 %s），未安装任何内容。镜像或网络传输有误：请重试或设置 NODE_MIRROR'
    [err.extract]='无法将 %s 解压到 %s；请检查磁盘剩余空间（df -h /opt）'
    [err.nodeBroken]='刚解压的 Node.js 无法运行（%s），未安装任何内容'
    [err.npmInstall]='npm 无法安装 %s（npm 源：%s），未做任何改动。请检查 npm 源（NPM_REGISTRY=URL 或 --region）后重新运行'
    [err.cliBroken]='stack-wizard 已下载，但无法启动（%s），未做任何改动'
    [err.cliVersion]='npm 源提供的 stack-wizard 版本是 %s，应为 %s，未做任何改动'
    [err.tarballMissing]='STACK_WIZARD_TARBALL=%s 不存在；请给出 .tgz 文件路径或 http(s) URL'
    [err.linkTaken]='%s 已存在，且不是本脚本安装的（%s）；请先删除它（例如 npm uninstall -g stack-wizard）再重新运行'
    [err.write]='无法写入 %s；请检查磁盘剩余空间和权限'
    [err.mkdir]='无法创建目录 %s；请检查磁盘剩余空间（df -h %s）以及该位置是否可写'
    [err.chmod]='无法设置 %s 的权限（chmod %s），未安装任何内容'
    [err.tmp]='无法在 %s 中创建临时目录；请检查磁盘剩余空间（df -h %s）'
    [err.hash]='无法计算 %s 的 SHA-256（sha256sum 失败），未安装任何内容'
    [err.tarballRead]='无法读取 STACK_WIZARD_TARBALL=%s（权限不足？），未安装任何内容'
    [err.swap]='无法把新的 %s 放到位，已恢复原来的版本'
    [err.linkDir]='无法为 stack-wizard 命令创建 %s；请检查 /usr/local 是否可写'
    [err.remove]='无法删除 %s；请手动删除（rm -rf %s）后重新运行'
    [err.sudoFailed]='sudo 没有接受密码，或 %s 无权使用 sudo，未做任何改动。请以 root 身份运行（sudo -i），或换一个允许使用 sudo 的用户'
    [err.osReleaseBad]='/etc/os-release 无法按 shell 片段读取，无法识别系统'
    [err.unexpected]='意外失败（退出码 %s，install.sh 第 %s 行：%s），没有留下安装了一半的内容。请报告此问题'
    [err.start]='无法启动向导（%s）；问题解决后请自行运行'
    [info.platform]='系统：%s，%s；运行身份：%s'
    [info.region]='地区：%s（%s）'
    [info.regionGiven]='地区：%s（来自 --region）'
    [info.probeFail]='无法访问'
    [info.probeCnNone]='国内镜像均无响应'
    [info.nodeMirror]='Node.js 镜像：%s（%s，响应最快）'
    [info.probeNone]='没有镜像响应，使用官方源'
    [info.nodeCurrent]='Node.js %s（位于 %s）已是最新'
    [info.nodeExisting]='使用已安装的 Node.js %s（%s）'
    [info.nodeTooOld]='已安装的 Node.js %s 低于 %s；将安装 %s 到 %s'
    [info.nodeNoNpm]='已安装的 Node.js %s 没有 npm；将安装 %s 到 %s'
    [info.nodeNotRoot]='已安装的 Node.js %s（%s）不是只属于 root（它、它的 npm 或其上级目录可被其他用户修改），而 root 将用它运行 stack-wizard：将安装 %s 到 %s'
    [info.integrityOk]='软件包已校验（sha512 与固定值一致）'
    [info.nodeNone]='未找到 Node.js；将安装 %s 到 %s'
    [info.nodeUpgrade]='将 %s 中的 Node.js 从 %s 升级到 %s'
    [info.download]='正在下载 %s'
    [info.verified]='校验和正确（SHA-256 %s）'
    [info.cliCurrent]='stack-wizard %s 已是最新'
    [info.cliInstall]='正在安装 stack-wizard %s（来源：%s）'
    [info.cliUpgrade]='正在将 stack-wizard 从 %s 升级到 %s（来源：%s）'
    [info.cliInstallFrom]='正在从 %s 安装 stack-wizard'
    [info.registryDefault]='npm 默认源'
    [info.done]='已安装：%s（stack-wizard %s，Node.js %s）'
    [info.unchanged]='无需改动：全部已是最新'
    [info.start]='正在启动向导……'
    [info.noTty]='当前没有终端，因此没有启动向导。接下来请运行：'
    [info.removed]='已删除 %s'
    [info.notOurs]='保留 %s：它不是本脚本安装的'
    [info.nothingToRemove]='无需删除：本脚本没有安装过 stack-wizard'
    [info.kept]='已保留服务栈数据：%s'
    [info.uninstalled]='stack-wizard 已卸载'
    [info.recovered]='已放回 %s（上次运行被中断时移到了一旁）'
  )
}

# --- messages and errors ---------------------------------------------------------------------

sw_t() {
  local key=$1 fmt
  shift
  if [ "${SW_LANG:-en}" = zh-CN ]; then fmt=${SW_ZH[$key]-}; else fmt=${SW_EN[$key]-}; fi
  [ -n "$fmt" ] || fmt=${SW_EN[$key]-$key}
  # shellcheck disable=SC2059 # formats come from the message tables above
  printf -- "$fmt" "$@"
}

sw_say() { printf '==> %s\n' "$(sw_t "$@")"; }
sw_note() { printf '    %s\n' "$(sw_t "$@")"; }

# Stop at the first failure. Every failure has a message of its own; one this script did not
# foresee still says where it happened (ERR is inherited by functions and subshells with -E).
sw_strict() {
  set -euo pipefail
  set -E
  trap 'sw_on_error $? $LINENO "$BASH_COMMAND"' ERR
}

# sw_on_error CODE LINE COMMAND: the ERR trap. In a subshell ($(…), a pipeline's part) the
# command that ran it reports the failure, once.
sw_on_error() {
  trap - ERR
  [ "${BASH_SUBSHELL:-0}" -eq 0 ] || exit "$1"
  printf '%s%s\n' "$(sw_t prefix.err)" "$(sw_t err.unexpected "$1" "$2" "$3")" >&2
  exit 1
}

# sw_die CODE KEY ARGS…: print the message on stderr and exit (the EXIT trap cleans up).
sw_die() {
  local code=$1
  shift
  printf '%s%s\n' "$(sw_t prefix.err)" "$(sw_t "$@")" >&2
  exit "$code"
}

# --- pure helpers (unit-tested through --source-only) ----------------------------------------

# The language: --lang wins, then LC_ALL, LC_MESSAGES, LANG (as the wizard decides).
sw_detect_lang() {
  local v=''
  while [ $# -gt 0 ]; do
    case $1 in
      --lang) v=${2:-}; break ;;
      --lang=*) v=${1#--lang=}; break ;;
      --) break ;;
    esac
    shift
  done
  if [ -z "$v" ]; then
    if [ -n "${LC_ALL:-}" ]; then v=$LC_ALL
    elif [ -n "${LC_MESSAGES:-}" ]; then v=$LC_MESSAGES
    else v=${LANG:-}; fi
  fi
  case $v in zh* | ZH*) echo zh-CN ;; *) echo en ;; esac
}

# sw_version_ge A B: A >= B, for versions like v20.19.0 (a pre-release suffix is ignored).
sw_version_ge() {
  local a=${1#v} b=${2#v} i x y
  a=${a%%[-+]*}
  b=${b%%[-+]*}
  local -a pa pb
  IFS=. read -r -a pa <<<"$a"
  IFS=. read -r -a pb <<<"$b"
  for i in 0 1 2; do
    x=${pa[i]:-0}
    y=${pb[i]:-0}
    [[ $x =~ ^[0-9]+$ ]] || return 1
    [[ $y =~ ^[0-9]+$ ]] || return 1
    if ((10#$x > 10#$y)); then return 0; fi
    if ((10#$x < 10#$y)); then return 1; fi
  done
  return 0
}

# sw_node_arch MACHINE: uname -m → the architecture in Node's file names.
sw_node_arch() {
  case $1 in
    x86_64 | amd64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) return 1 ;;
  esac
}

# sw_os_supported ID VERSION_ID
sw_os_supported() {
  case "$1 $2" in
    "debian 11" | "debian 12" | "debian 13" | "ubuntu 22.04" | "ubuntu 24.04") return 0 ;;
    *) return 1 ;;
  esac
}

# sw_pinned_node_sum FILE: the SHA-256 of a tarball of the pinned Node.js build, from
# https://nodejs.org/dist/v24.21.0/SHASUMS256.txt (the four lines agree with independent copies of
# that file). A new pin replaces SW_NODE_PIN and these lines together; test/unit/installer.test.ts
# checks that every pinned file has its line. Empty for any other file.
sw_pinned_node_sum() {
  case $1 in
    node-v24.21.0-linux-x64.tar.xz) echo fd8e59d5a511510f6a298afb548f18c7d2b1be404d8b4a27d94fbe49f56cb2d6 ;;
    node-v24.21.0-linux-x64.tar.gz) echo 6e1db87ef58b8819e5d5402eff1536491b18edd8eb7bee5ef7897876e88dc5ff ;;
    node-v24.21.0-linux-arm64.tar.xz) echo 6ad1325edbdb5649c379b75a237147a666c95d4f9ae8d340fef2d1575d289ad2 ;;
    node-v24.21.0-linux-arm64.tar.gz) echo 724282c3b43aec998aa9527380465b45d229e021b58035f5f4f63095eabfe5d5 ;;
  esac
}

# sw_node_want VERSION ARCH HAVE_XZ: "FILE SHA256" of the tarball to fetch and the hash it must
# have: the pinned build's .tar.xz (smaller) when xz is installed, else its .tar.gz; for another
# build, its .tar.gz with the SHA-256 the operator gave (STACK_WIZARD_NODE_SHA256). Nothing when
# no hash is known: a mirror's own SHASUMS256.txt is never trusted (it is as forgeable as the tarball).
sw_node_want() {
  local xz="node-$1-linux-$2.tar.xz" gz="node-$1-linux-$2.tar.gz" sum
  if [ -n "${STACK_WIZARD_NODE_SHA256:-}" ]; then echo "$gz $STACK_WIZARD_NODE_SHA256"; return; fi
  if [ "$3" = 1 ] && sum=$(sw_pinned_node_sum "$xz") && [ -n "$sum" ]; then echo "$xz $sum"; return; fi
  sum=$(sw_pinned_node_sum "$gz")
  [ -z "$sum" ] || echo "$gz $sum"
}

# sw_root_only PATH: PATH, with every link resolved, and every folder above it belong to root and
# nobody else may write to them (no group or other write bit, sticky or not). What root runs, and
# the timers run as root, must not be replaceable by another local user.
sw_root_only() {
  local p u m
  p=$(readlink -f -- "$1" 2>/dev/null) || return 1
  [ -n "$p" ] || return 1
  while :; do
    read -r u m < <(stat -c '%u %a' -- "$p" 2>/dev/null) || return 1
    [ "$u" = 0 ] || return 1
    (((8#$m & 8#022) == 0)) || return 1
    [ "$p" != / ] || return 0
    p=$(dirname -- "$p")
  done
}

# sw_integrity_hex INTEGRITY: the hex digest in an npm integrity string (sha512-<base64>).
sw_integrity_hex() {
  printf '%s' "${1#sha512-}" | base64 -d 2>/dev/null | od -An -v -tx1 | tr -d ' \n'
}

# sw_check_url NAME VALUE SCHEMES: a URL of one of the schemes (a | list), without whitespace,
# quotes or control characters (it reaches curl, npm and messages).
sw_check_url() {
  local re="^($3)://[^[:space:][:cntrl:]\"'\\\`]+$"
  [[ $2 =~ $re ]] || sw_die 2 err.badUrl "$1" "${3//|/, }" "$2"
}

# sw_quote ARGS…: one shell-quoted command line.
sw_quote() {
  local out='' a
  for a in "$@"; do out+="$(printf '%q' "$a") "; done
  printf '%s' "${out% }"
}

# sw_parse_args ARGS…: sets SW_REGION, SW_UNINSTALL, SW_HELP, SW_PASS (arguments for the wizard).
sw_parse_args() {
  SW_REGION=auto
  SW_UNINSTALL=0
  SW_HELP=0
  SW_PASS=()
  while [ $# -gt 0 ]; do
    case $1 in
      --region)
        [ $# -ge 2 ] || sw_die 2 err.optValue --region
        SW_REGION=$2
        shift 2
        ;;
      --region=*) SW_REGION=${1#--region=}; shift ;;
      --lang)
        [ $# -ge 2 ] || sw_die 2 err.optValue --lang
        SW_PASS+=(--lang "$2")
        shift 2
        ;;
      --lang=*) SW_PASS+=("$1"); shift ;;
      --uninstall) SW_UNINSTALL=1; shift ;;
      -h | --help) SW_HELP=1; shift ;;
      --) shift; SW_PASS+=("$@"); break ;;
      *) SW_PASS+=("$1"); shift ;;
    esac
  done
  case $SW_REGION in cn | global | auto) ;; *) sw_die 2 err.badRegion "$SW_REGION" ;; esac
  local i
  for ((i = 0; i < ${#SW_PASS[@]}; i++)); do
    case ${SW_PASS[i]} in
      --lang) sw_check_lang "${SW_PASS[i + 1]}" ;;
      --lang=*) sw_check_lang "${SW_PASS[i]#--lang=}" ;;
    esac
  done
}

# The version overrides, checked before anything runs (a Node older than the wizard needs, or a
# typo, would otherwise fail late).
sw_check_versions() {
  if ! [[ $SW_NODE_VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || ! sw_version_ge "$SW_NODE_VERSION" "$SW_NODE_MIN"; then
    sw_die 2 err.badNodeVersion "$SW_NODE_MIN" "${STACK_WIZARD_NODE_VERSION:-}"
  fi
  [[ $SW_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || sw_die 2 err.badVersion "$SW_VERSION"
  if [ -n "${STACK_WIZARD_NODE_SHA256:-}" ] && ! [[ $STACK_WIZARD_NODE_SHA256 =~ ^[0-9a-f]{64}$ ]]; then
    sw_die 2 err.badSha256 "$STACK_WIZARD_NODE_SHA256"
  fi
  if [ -n "${STACK_WIZARD_INTEGRITY:-}" ] && ! [[ $STACK_WIZARD_INTEGRITY =~ ^sha512-[A-Za-z0-9+/]{86}==$ ]]; then
    sw_die 2 err.badIntegrity "$STACK_WIZARD_INTEGRITY"
  fi
  # Node.js is always checked against a pinned SHA-256, so any mirror scheme curl speaks is safe;
  # a package tarball over plain http needs a pinned integrity to be.
  [ -z "${NODE_MIRROR:-}" ] || sw_check_url NODE_MIRROR "$NODE_MIRROR" 'https|http|file'
  [ -z "${NPM_REGISTRY:-}" ] || sw_check_url NPM_REGISTRY "$NPM_REGISTRY" 'https|http'
  case ${STACK_WIZARD_TARBALL:-} in
    *://*)
      sw_check_url STACK_WIZARD_TARBALL "$STACK_WIZARD_TARBALL" 'https|http'
      if [[ $STACK_WIZARD_TARBALL == http://* ]] && [ -z "${STACK_WIZARD_INTEGRITY:-}" ]; then
        sw_die 2 err.httpNeedsIntegrity STACK_WIZARD_TARBALL "$STACK_WIZARD_TARBALL"
      fi
      ;;
  esac
}

# The folder our Node.js and stack-wizard go into must be root's alone: root and its timers run them.
sw_check_home() {
  local d=$SW_HOME
  [ -e "$d" ] || d=$(dirname -- "$d")
  sw_root_only "$d" || sw_die 3 err.homeUnsafe "$d"
}

sw_check_lang() {
  case $1 in en | zh-CN) ;; *) sw_die 2 err.badLang "$1" ;; esac
}

# sw_probe_times URL…: fetches each URL at once, in parallel, with a short timeout (no
# geolocation service), and prints one line per URL in order: its seconds, or "-" when it failed.
sw_probe_times() {
  local dir i=0 pids=() u
  local base=${SW_TMP:-${TMPDIR:-/tmp}}
  dir=$(mktemp -d "$base/probe.XXXXXX") || sw_die 1 err.tmp "$base" "$base"
  for u in "$@"; do
    curl -fsS -o /dev/null --max-time "$SW_PROBE_TIMEOUT" -w '%{time_total}' "$u" >"$dir/$i" 2>/dev/null </dev/null &
    pids+=($!)
    i=$((i + 1))
  done
  for i in "${!pids[@]}"; do
    if wait "${pids[i]}"; then cat "$dir/$i"; echo; else echo -; fi
  done
  rm -rf "$dir"
}

# sw_fastest TIME…: the index of the smallest time that is not "-", or -1.
sw_fastest() {
  printf '%s\n' "$@" | awk '$1 != "-" && $1 != "" && (best == "" || $1 + 0 < best + 0) { best = $1; at = NR - 1 } END { print (at == "" ? -1 : at) }'
}

# sw_probe_region GLOBAL_URL CN_URL…: prints "REGION GLOBAL_TIME BEST_CN_TIME BEST_CN_INDEX":
# cn when a mainland mirror answers faster than the official source (or only it answers).
sw_probe_region() {
  local -a t
  mapfile -t t < <(sw_probe_times "$@")
  local tg=${t[0]} best tc=-
  best=$(sw_fastest "${t[@]:1}")
  [ "$best" -lt 0 ] || tc=${t[best + 1]}
  if [ "$tc" != - ] && { [ "$tg" = - ] || awk -v c="$tc" -v g="$tg" 'BEGIN { exit !(c < g) }'; }; then
    echo "cn $tg $tc $best"
  else
    echo "global $tg $tc $best"
  fi
}

sw_host() { local h=${1#*://}; echo "${h%%/*}"; }

# --- host ---------------------------------------------------------------------------------------

sw_root() {
  if [ ${#SW_AS_ROOT[@]} -eq 0 ]; then "$@"; else "${SW_AS_ROOT[@]}" "$@"; fi
}

sw_have_tty() {
  [ -t 0 ] && return 0
  { : </dev/tty; } 2>/dev/null
}

sw_require() {
  local tool pkg
  for tool in "$@"; do
    pkg=$tool
    case $tool in sha256sum | sha512sum | base64 | od | stat | readlink | mktemp | timeout) pkg=coreutils ;; awk) pkg=mawk ;; esac
    command -v "$tool" >/dev/null 2>&1 || sw_die 3 err.missingTool "$tool" "$pkg"
  done
}

sw_detect_privilege() {
  SW_AS_ROOT=()
  SW_USER=root
  if [ "$(id -u)" -eq 0 ]; then return 0; fi
  SW_USER="$(id -un) (sudo)"
  command -v sudo >/dev/null 2>&1 || sw_die 3 err.noRoot
  if ! sudo -n true 2>/dev/null; then
    sw_have_tty || sw_die 3 err.sudoNoTty
    # Asked once, now, on the terminal (sudo reads the password from it, not from the pipe): a
    # wrong password or a user sudo refuses stops here, before anything is written.
    sudo -v || sw_die 3 err.sudoFailed "$(id -un)"
  fi
  SW_AS_ROOT=(sudo)
}

sw_detect_platform() {
  local os_file=/etc/os-release id='' ver='' name=''
  [ -r "$os_file" ] || sw_die 3 err.noOsRelease
  # shellcheck disable=SC1090 # os-release is a shell fragment by specification
  id=$(. "$os_file" && echo "${ID:-}") || sw_die 3 err.osReleaseBad
  # shellcheck disable=SC1090
  ver=$(. "$os_file" && echo "${VERSION_ID:-}") || sw_die 3 err.osReleaseBad
  # shellcheck disable=SC1090
  name=$(. "$os_file" && echo "${PRETTY_NAME:-$ID $VERSION_ID}") || sw_die 3 err.osReleaseBad
  sw_os_supported "$id" "$ver" || sw_die 3 err.badOs "$name"
  local m
  m=$(uname -m) || sw_die 3 err.badArch '?'
  SW_ARCH=$(sw_node_arch "$m") || sw_die 3 err.badArch "$m"
  sw_say info.platform "$name" "$m" "$SW_USER"
}

# Sets SW_REGION_DONE once: --region, else a probe of the official source against the mainland
# mirrors (which also picks SW_CN_NODE_BEST). Only runs when a download needs it.
sw_resolve_region() {
  [ -z "$SW_REGION_DONE" ] || return 0
  if [ "$SW_REGION" != auto ]; then
    SW_REGION_DONE=$SW_REGION
    sw_say info.regionGiven "$SW_REGION"
    return
  fi
  local r tg tc best u urls=()
  for u in "$SW_NODE_MIRROR_GLOBAL" "${SW_NODE_MIRRORS_CN[@]}"; do urls+=("$u/$SW_NODE_VERSION/SHASUMS256.txt"); done
  # The probe runs in a subshell: when it cannot work (no room for its temporary files) it has
  # said why on stderr, and its missing line ends the run here.
  read -r r tg tc best < <(sw_probe_region "${urls[@]}") || exit 1
  SW_REGION_DONE=$r
  [ "$best" -lt 0 ] || SW_CN_NODE_BEST=${SW_NODE_MIRRORS_CN[best]}
  if [ "$tg" = - ] && [ "$tc" = - ]; then
    sw_say info.region "$r" "$(sw_t info.probeNone)"
    return
  fi
  local g c
  g="$(sw_host "$SW_NODE_MIRROR_GLOBAL") $(sw_secs "$tg")"
  if [ "$best" -lt 0 ]; then c="$(sw_t info.probeCnNone)"; else c="$(sw_host "$SW_CN_NODE_BEST") $(sw_secs "$tc")"; fi
  sw_say info.region "$r" "$g, $c"
}

sw_secs() { if [ "$1" = - ]; then sw_t info.probeFail; else LC_ALL=C printf '%.2fs' "$1"; fi; }

# Sets SW_NODE_MIRROR: NODE_MIRROR, else the official source, else the fastest mainland mirror
# that has the build (the first when none answers: the download then says what failed).
sw_pick_node_mirror() {
  if [ -n "${NODE_MIRROR:-}" ]; then SW_NODE_MIRROR=${NODE_MIRROR%/}; return; fi
  sw_resolve_region
  if [ "$SW_REGION_DONE" != cn ]; then SW_NODE_MIRROR=$SW_NODE_MIRROR_GLOBAL; return; fi
  if [ -z "$SW_CN_NODE_BEST" ]; then
    local -a t
    local u urls=() best
    for u in "${SW_NODE_MIRRORS_CN[@]}"; do urls+=("$u/$SW_NODE_VERSION/SHASUMS256.txt"); done
    mapfile -t t < <(sw_probe_times "${urls[@]}")
    [ ${#t[@]} -eq ${#urls[@]} ] || exit 1 # it said why (see sw_resolve_region)
    best=$(sw_fastest "${t[@]}")
    if [ "$best" -ge 0 ]; then
      SW_CN_NODE_BEST=${SW_NODE_MIRRORS_CN[best]}
      sw_note info.nodeMirror "$(sw_host "$SW_CN_NODE_BEST")" "$(sw_secs "${t[best]}")"
    else
      SW_CN_NODE_BEST=${SW_NODE_MIRRORS_CN[0]}
    fi
  fi
  SW_NODE_MIRROR=$SW_CN_NODE_BEST
}

# Sets SW_NPM_REGISTRY; empty means npm's own default (or the user's npmrc): only cn is named.
sw_pick_npm_registry() {
  if [ -n "${NPM_REGISTRY:-}" ]; then SW_NPM_REGISTRY=$NPM_REGISTRY; return; fi
  sw_resolve_region
  if [ "$SW_REGION_DONE" = cn ]; then SW_NPM_REGISTRY=$SW_NPM_REGISTRY_CN; else SW_NPM_REGISTRY=''; fi
}

# --- staging: everything is built beside its final place, then moved in at the end ------------

sw_ensure_home() {
  if [ ! -d "$SW_HOME" ]; then
    sw_root mkdir -p "$SW_HOME" || sw_die 1 err.mkdir "$SW_HOME" "$(dirname "$SW_HOME")"
    SW_HOME_CREATED=1
    sw_root chmod 0755 "$SW_HOME" || sw_die 1 err.chmod "$SW_HOME" 0755
  fi
}

# sw_new_stage NAME: sets SW_STAGE to a new empty folder beside the final one (same file system,
# so moving it in is a rename); it is removed on failure. Its name carries this run's pid, so a
# later run can tell a stage left by a killed run (sw_recover) from one still being made.
sw_new_stage() {
  sw_ensure_home
  SW_STAGE=$(sw_root mktemp -d "$SW_HOME/.$1-new.$$.XXXXXX") || sw_die 1 err.mkdir "$SW_HOME/.$1-new.$$.*" "$SW_HOME"
  SW_STAGES+=("$SW_STAGE")
  sw_root chmod 0755 "$SW_STAGE" || sw_die 1 err.chmod "$SW_STAGE" 0755
}

sw_cleanup() {
  local s
  trap - ERR # cleaning up after a failure must not report failures of its own
  wait 2>/dev/null || true # a background npm must end before its folder is removed
  sw_swap_undo
  for s in "${SW_STAGES[@]}"; do
    [ -e "$s" ] && sw_root rm -rf -- "$s"
  done
  SW_STAGES=()
  if [ "$SW_HOME_CREATED" = 1 ] && [ -d "$SW_HOME" ]; then
    sw_root rmdir -- "$SW_HOME" 2>/dev/null || true
  fi
  if [ -n "$SW_TMP" ] && [ -d "$SW_TMP" ]; then
    sw_root rm -rf -- "$SW_TMP"
    SW_TMP=''
  fi
}

# sw_swap STAGE DEST: put a finished stage in place of DEST. Between its two renames DEST does
# not exist: SW_SWAP_BACK says how to put the previous one back, which sw_cleanup does when the
# run ends there (Ctrl-C, a failed rename), and sw_recover on the next run (after a SIGKILL).
sw_swap() {
  local old="$2.old.$$"
  SW_SWAP_BACK=()
  if [ -e "$2" ]; then
    SW_SWAP_BACK=("$old" "$2")
    sw_root mv -T -- "$2" "$old" || sw_die 1 err.swap "$2"
  fi
  sw_root mv -T -- "$1" "$2" || sw_die 1 err.swap "$2"
  SW_SWAP_BACK=()
  if [ -e "$old" ]; then sw_root rm -rf -- "$old" || true; fi # a leftover is removed by the next run
  return 0
}

# The previous DEST back in place when a swap stopped between its renames.
sw_swap_undo() {
  [ ${#SW_SWAP_BACK[@]} -eq 2 ] || return 0
  local old=${SW_SWAP_BACK[0]} dest=${SW_SWAP_BACK[1]}
  SW_SWAP_BACK=()
  if [ ! -e "$dest" ] && [ -e "$old" ]; then
    sw_root mv -T -- "$old" "$dest" || true
  elif [ -e "$old" ]; then
    sw_root rm -rf -- "$old" || true
  fi
}

# sw_pid_of PATH: the pid in a name made by this script (…/_node.old.PID, …/.node-new.PID.XXXXXX).
sw_pid_of() {
  local n=${1##*/}
  case $n in
    *.old.*) n=${n##*.old.} ;;
    .*-new.*) n=${n#*-new.}; n=${n%%.*} ;;
  esac
  [[ $n =~ ^[0-9]+$ ]] && echo "$n"
}

# What a run killed with SIGKILL left (another run still going is left alone; /proc, not kill -0,
# which fails for a root process when this run is a sudoer's): a DEST put aside
# between the swap's renames comes back, a leftover old copy and unfinished stages go.
sw_recover() {
  local d o pid
  [ -d "$SW_HOME" ] || return 0
  for d in "$SW_NODE_DIR" "$SW_CLI_DIR"; do
    for o in "$d".old.*; do
      [ -e "$o" ] || continue
      pid=$(sw_pid_of "$o") || continue
      if [ "$pid" != $$ ] && [ -e "/proc/$pid" ]; then continue; fi
      if [ ! -e "$d" ]; then
        sw_root mv -T -- "$o" "$d" || sw_die 1 err.swap "$d"
        sw_note info.recovered "$d"
      else
        sw_root rm -rf -- "$o" || sw_die 1 err.remove "$o" "$o"
      fi
    done
  done
  for o in "$SW_HOME"/.node-new.* "$SW_HOME"/.cli-new.*; do
    [ -e "$o" ] || continue
    pid=$(sw_pid_of "$o") || continue
    if [ "$pid" != $$ ] && [ -e "/proc/$pid" ]; then continue; fi
    sw_root rm -rf -- "$o" || sw_die 1 err.remove "$o" "$o"
  done
}

sw_fetch() {
  curl -fsSL --retry 2 --connect-timeout 15 -o "$2" "$1" </dev/null || sw_die 1 err.download "$1"
}

# --- Node.js ----------------------------------------------------------------------------------

sw_node_version() { timeout 20 "$1" -v 2>/dev/null </dev/null; }

# Sets SW_NODE_BIN (the final node path), SW_NODE_RUN (what runs npm now), SW_NPM (npm-cli.js or
# the npm command) and SW_NODE_STAGE (non-empty when a new build waits to be moved in). A Node.js
# already there is looked for in root's PATH only (never the invoking user's: through sudo that
# could be their nvm Node) and used only when root alone owns it and its npm (sw_root_only): the
# wrapper, `sudo stack-wizard` and the backup timer run it as root.
sw_plan_node() {
  SW_NODE_STAGE=''
  local own=$SW_NODE_DIR/bin/node sys v npm
  if [ -x "$own" ]; then
    v=$(sw_node_version "$own" || true)
    if [ "$v" = "$SW_NODE_VERSION" ] && sw_root_only "$own"; then
      sw_say info.nodeCurrent "$v" "$SW_NODE_DIR"
      SW_NODE_BIN=$own SW_NODE_RUN=$own SW_NPM=$SW_NODE_DIR/lib/node_modules/npm/bin/npm-cli.js
      return
    fi
    # Changed by someone else since it was installed (or an older build): replaced, never trusted.
    if [ "$v" = "$SW_NODE_VERSION" ]; then sw_say info.nodeNotRoot "$v" "$own" "$SW_NODE_VERSION" "$SW_NODE_DIR"
    else sw_say info.nodeUpgrade "$SW_NODE_DIR" "${v:-?}" "$SW_NODE_VERSION"; fi
    sw_stage_node
    return
  fi
  sys=$(PATH=$SW_ROOT_PATH command -v node 2>/dev/null || true)
  if [ -n "$sys" ]; then
    v=$(sw_node_version "$sys" || true)
    if [ -n "$v" ] && sw_version_ge "$v" "$SW_NODE_MIN"; then
      npm=$(PATH="$(dirname "$sys"):$SW_ROOT_PATH" command -v npm 2>/dev/null || true)
      if [ -n "$npm" ] && PATH="$(dirname "$sys"):$SW_ROOT_PATH" npm -v >/dev/null 2>&1 </dev/null; then
        if sw_root_only "$sys" && sw_root_only "$npm"; then
          sw_say info.nodeExisting "$v" "$sys"
          SW_NODE_BIN=$sys SW_NODE_RUN=$sys SW_NPM=npm
          return
        fi
        sw_say info.nodeNotRoot "$v" "$sys" "$SW_NODE_VERSION" "$SW_NODE_DIR"
        sw_stage_node
        return
      fi
      sw_say info.nodeNoNpm "$v" "$SW_NODE_VERSION" "$SW_NODE_DIR"
    else
      sw_say info.nodeTooOld "${v:-?}" "v$SW_NODE_MIN" "$SW_NODE_VERSION" "$SW_NODE_DIR"
    fi
  else
    sw_say info.nodeNone "$SW_NODE_VERSION" "$SW_NODE_DIR"
  fi
  sw_stage_node
}

sw_stage_node() {
  local mirror file want got have_xz=0 stage v
  command -v xz >/dev/null 2>&1 && have_xz=1
  # The hash comes from this script or the operator, before any mirror is asked (sw_node_want).
  read -r file want < <(sw_node_want "$SW_NODE_VERSION" "$SW_ARCH" "$have_xz") || true
  [ -n "${want:-}" ] || sw_die 2 err.nodeNoPin "$SW_NODE_VERSION" "$SW_NODE_PIN" "$SW_NODE_VERSION"
  sw_pick_node_mirror
  mirror=$SW_NODE_MIRROR
  sw_say info.download "$mirror/$SW_NODE_VERSION/$file"
  sw_fetch "$mirror/$SW_NODE_VERSION/$file" "$SW_TMP/$file"
  got=$(sha256sum "$SW_TMP/$file" | awk '{ print $1 }') || sw_die 1 err.hash "$SW_TMP/$file"
  [ "$got" = "$want" ] || sw_die 1 err.checksum "$file" "$want" "$got"
  sw_note info.verified "$got"
  sw_new_stage node
  stage=$SW_STAGE
  sw_root tar -x -f "$SW_TMP/$file" -C "$stage" --strip-components=1 --no-same-owner \
    || sw_die 1 err.extract "$file" "$SW_HOME"
  rm -f -- "$SW_TMP/$file" || true # the temporary folder goes at the end anyway
  v=$(sw_node_version "$stage/bin/node" || true)
  [ "$v" = "$SW_NODE_VERSION" ] || sw_die 1 err.nodeBroken "$stage/bin/node -v: ${v:-no output}"
  SW_NODE_STAGE=$stage
  SW_NODE_BIN=$SW_NODE_DIR/bin/node SW_NODE_RUN=$stage/bin/node
  SW_NPM=$stage/lib/node_modules/npm/bin/npm-cli.js
}

# --- stack-wizard -----------------------------------------------------------------------------

sw_npm() {
  local bindir
  bindir=$(dirname "$SW_NODE_RUN")
  if [ "$SW_NPM" = npm ]; then
    sw_root env PATH="$bindir:$SW_ROOT_PATH" npm_config_cache="$SW_TMP/npm-cache" npm_config_update_notifier=false \
      npm "$@" </dev/null
  else
    sw_root env PATH="$bindir:$SW_ROOT_PATH" npm_config_cache="$SW_TMP/npm-cache" npm_config_update_notifier=false \
      "$SW_NODE_RUN" "$SW_NPM" "$@" </dev/null
  fi
}

# Sets SW_CLI_STAGE (non-empty when a new install waits) and SW_CLI_FROM (what the marker records).
# From a registry, npm fetches the release into a file (npm checks the registry's own integrity);
# that file must have the integrity this script pins for it (stamped at release, or
# STACK_WIZARD_INTEGRITY), and that very file is installed, with --ignore-scripts: nothing of the
# package runs as root before it is checked.
sw_plan_cli() {
  SW_CLI_STAGE=''
  local spec source have='' registry stage pkg v out log want=${STACK_WIZARD_INTEGRITY:-} tgz got rc=0
  have=$(cat "$SW_MARKER" 2>/dev/null || true)
  if [ -n "${STACK_WIZARD_TARBALL:-}" ]; then
    case $STACK_WIZARD_TARBALL in
      http://* | https://*)
        spec=$SW_TMP/stack-wizard.tgz
        sw_fetch "$STACK_WIZARD_TARBALL" "$spec"
        ;;
      *)
        [ -f "$STACK_WIZARD_TARBALL" ] || sw_die 1 err.tarballMissing "$STACK_WIZARD_TARBALL"
        spec=$SW_TMP/stack-wizard.tgz
        cp -- "$STACK_WIZARD_TARBALL" "$spec" || sw_die 1 err.tarballRead "$STACK_WIZARD_TARBALL"
        ;;
    esac
    local sum
    sum=$(sha256sum "$spec" | awk '{ print $1 }') || sw_die 1 err.hash "$spec"
    SW_CLI_FROM="tarball sha256:$sum"
    source=$STACK_WIZARD_TARBALL
  else
    spec=stack-wizard@$SW_VERSION
    # The stamped pin is for the release it names; another release needs its own.
    if [ -z "$want" ] && [ "$SW_VERSION" = "$SW_CLI_PIN_FOR" ]; then want=$SW_CLI_PIN_INTEGRITY; fi
    [ -n "$want" ] || sw_die 2 err.noIntegrity "$SW_VERSION" "$SW_VERSION"
    SW_CLI_FROM="registry $spec $want"
  fi
  if [ "$have" = "$SW_CLI_FROM" ] && [ -f "$SW_CLI_DIR/lib/node_modules/stack-wizard/bin/stack-wizard.js" ]; then
    sw_say info.cliCurrent "$(sw_cli_version "$SW_CLI_DIR")"
    return
  fi
  registry=''
  if [ -z "${STACK_WIZARD_TARBALL:-}" ]; then
    sw_pick_npm_registry
    registry=$SW_NPM_REGISTRY
    source=${registry:-$(sw_t info.registryDefault)}
  fi
  if [ -n "${STACK_WIZARD_TARBALL:-}" ]; then
    sw_say info.cliInstallFrom "$source"
  elif [ -n "$have" ]; then
    sw_say info.cliUpgrade "$(sw_cli_version "$SW_CLI_DIR")" "$SW_VERSION" "$source"
  else
    sw_say info.cliInstall "$SW_VERSION" "$source"
  fi
  sw_new_stage cli
  stage=$SW_STAGE
  log=$SW_TMP/npm.log
  # In the background and waited for: npm handles Ctrl-C itself and exits 1, which bash would
  # take as a plain failure; `wait` returns at once on the signal, so the INT trap runs.
  tgz=$spec
  if [ -z "${STACK_WIZARD_TARBALL:-}" ]; then
    mkdir -p -- "$SW_TMP/pack" || sw_die 1 err.mkdir "$SW_TMP/pack" "$SW_TMP"
    sw_npm pack --ignore-scripts --pack-destination "$SW_TMP/pack" --loglevel=error \
      ${registry:+--registry "$registry"} "$spec" >"$log" 2>&1 &
    wait $! || rc=$?
    local -a packed=("$SW_TMP/pack"/*.tgz)
    if [ "$rc" != 0 ] || [ ! -f "${packed[0]}" ]; then
      sed 's/^/    /' "$log" >&2
      sw_die 1 err.npmInstall "$spec" "${registry:-$(sw_t info.registryDefault)}"
    fi
    tgz=${packed[0]}
  fi
  if [ -n "$want" ]; then
    got=$(sha512sum "$tgz" | awk '{ print $1 }') || sw_die 1 err.hash "$tgz"
    [ "$got" = "$(sw_integrity_hex "$want")" ] || sw_die 1 err.integrity "$source" "$got" "$(sw_integrity_hex "$want")"
    sw_note info.integrityOk
  fi
  sw_npm install --global --prefix "$stage" --ignore-scripts --no-audit --no-fund --loglevel=error \
    ${registry:+--registry "$registry"} "$tgz" >"$log" 2>&1 &
  wait $! || rc=$?
  if [ "$rc" != 0 ]; then
    sed 's/^/    /' "$log" >&2
    sw_die 1 err.npmInstall "$spec" "${registry:-$(sw_t info.registryDefault)}"
  fi
  pkg=$stage/lib/node_modules/stack-wizard
  # It must start with the chosen Node.js; its package.json says which release npm installed.
  out=$(sw_root "$SW_NODE_RUN" "$pkg/bin/stack-wizard.js" --version 2>&1 </dev/null) \
    || sw_die 1 err.cliBroken "$out"
  v=$(sw_cli_version "$stage")
  if [ -z "${STACK_WIZARD_TARBALL:-}" ] && [ "$v" != "$SW_VERSION" ]; then
    sw_die 1 err.cliVersion "${v:-?}" "$SW_VERSION"
  fi
  SW_CLI_STAGE=$stage
}

sw_cli_version() {
  { sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$1/lib/node_modules/stack-wizard/package.json" 2>/dev/null || true; } | head -n 1
}

sw_wrapper_text() {
  printf '#!/bin/sh\n# Written by the stack-wizard installer: runs the wizard with the Node.js it chose.\nexec %s %s "$@"\n' \
    "$(printf '%q' "$SW_NODE_BIN")" "$(printf '%q' "$SW_CLI_DIR/lib/node_modules/stack-wizard/bin/stack-wizard.js")"
}

# sw_write_file PATH MODE: stdin → PATH, atomically.
sw_write_file() {
  local tmp
  tmp=$(sw_root mktemp "$(dirname "$1")/.tmp.XXXXXX") || sw_die 1 err.write "$1"
  sw_root tee "$tmp" >/dev/null || { sw_root rm -f -- "$tmp"; sw_die 1 err.write "$1"; }
  sw_root chmod "$2" "$tmp" || { sw_root rm -f -- "$tmp"; sw_die 1 err.chmod "$1" "$2"; }
  sw_root mv -f -- "$tmp" "$1" || sw_die 1 err.write "$1"
}

sw_link_target() { readlink "$SW_LINK" 2>/dev/null || true; }

sw_check_link() {
  if [ -e "$SW_LINK" ] || [ -L "$SW_LINK" ]; then
    local t
    t=$(sw_link_target)
    [ "$t" = "$SW_WRAPPER" ] || sw_die 3 err.linkTaken "$SW_LINK" "${t:-not a link}"
  fi
}

# Moves the stages in, rewrites the wrapper and the link when they differ. Prints whether it
# changed anything.
sw_commit() {
  local changed=0 wrapper
  wrapper=$(sw_wrapper_text)
  if [ -n "$SW_NODE_STAGE" ]; then
    sw_swap "$SW_NODE_STAGE" "$SW_NODE_DIR"
    changed=1
  fi
  if [ -n "$SW_CLI_STAGE" ]; then
    printf '%s\n' "$wrapper" | sw_write_file "$SW_CLI_STAGE/stack-wizard" 0755
    printf '%s\n' "$SW_CLI_FROM" | sw_write_file "$SW_CLI_STAGE/.installed-from" 0644
    sw_swap "$SW_CLI_STAGE" "$SW_CLI_DIR"
    changed=1
  elif [ "$(cat "$SW_WRAPPER" 2>/dev/null)" != "$wrapper" ]; then
    printf '%s\n' "$wrapper" | sw_write_file "$SW_WRAPPER" 0755
    changed=1
  fi
  SW_STAGES=()
  if [ "$(sw_link_target)" != "$SW_WRAPPER" ]; then
    sw_root mkdir -p "$(dirname "$SW_LINK")" || sw_die 1 err.linkDir "$(dirname "$SW_LINK")"
    local tmp
    tmp="$(dirname "$SW_LINK")/.stack-wizard.$$"
    sw_root ln -sfn "$SW_WRAPPER" "$tmp" || sw_die 1 err.write "$SW_LINK"
    sw_root mv -Tf -- "$tmp" "$SW_LINK" || sw_die 1 err.write "$SW_LINK"
    changed=1
  fi
  if [ "$changed" = 1 ]; then
    sw_say info.done "$SW_LINK" "$(sw_cli_version "$SW_CLI_DIR")" "$(sw_node_version "$SW_NODE_BIN")"
  else
    sw_say info.unchanged
  fi
}

# Sets SW_CMD: the wizard's command line. The region the installer settled on (given, or probed
# for a download) goes with it so the wizard does not ask again, but only when the operator gave
# nothing else than --lang: a command, an answers file or answer flags speak for themselves.
sw_wizard_command() {
  local region=${SW_REGION_DONE:-} i plain=1
  if [ -z "$region" ] && [ "$SW_REGION" != auto ]; then region=$SW_REGION; fi
  for ((i = 0; i < ${#SW_PASS[@]}; i++)); do
    case ${SW_PASS[i]} in
      --lang) i=$((i + 1)) ;;
      --lang=*) ;;
      *) plain=0 ;;
    esac
  done
  SW_CMD=("$SW_LINK" "${SW_PASS[@]}")
  if [ -n "$region" ] && [ "$plain" = 1 ]; then SW_CMD+=(--region "$region"); fi
  if [ ${#SW_AS_ROOT[@]} -gt 0 ]; then SW_CMD=(sudo "${SW_CMD[@]}"); fi
}

sw_start() {
  sw_wizard_command
  if sw_have_tty; then
    sw_say info.start
    sw_cleanup
    trap - EXIT INT TERM ERR
    # A command that cannot be started is reported, not bash's own exit.
    shopt -s execfail
    if [ -t 1 ]; then exec "${SW_CMD[@]}" </dev/tty; else exec "${SW_CMD[@]}" </dev/tty >/dev/tty 2>&1; fi
    sw_die 1 err.start "$(sw_quote "${SW_CMD[@]}")"
  fi
  sw_say info.noTty
  printf '\n    %s\n\n' "$(sw_quote "${SW_CMD[@]}")"
}

# --- uninstall --------------------------------------------------------------------------------

sw_uninstall() {
  local removed=0 d t
  if [ -L "$SW_LINK" ]; then
    t=$(sw_link_target)
    if [ "$t" = "$SW_WRAPPER" ]; then
      sw_root rm -f -- "$SW_LINK" || sw_die 1 err.remove "$SW_LINK" "$SW_LINK"
      sw_say info.removed "$SW_LINK"
      removed=1
    else
      sw_say info.notOurs "$SW_LINK"
    fi
  elif [ -e "$SW_LINK" ]; then
    sw_say info.notOurs "$SW_LINK"
  fi
  for d in "$SW_CLI_DIR" "$SW_NODE_DIR" "$SW_HOME"/.cli-new.* "$SW_HOME"/.node-new.* "$SW_HOME"/_cli.old.* "$SW_HOME"/_node.old.*; do
    if [ -e "$d" ]; then
      sw_root rm -rf -- "$d" || sw_die 1 err.remove "$d" "$d"
      sw_say info.removed "$d"
      removed=1
    fi
  done
  if [ -d "$SW_HOME" ]; then
    if ! sw_root rmdir -- "$SW_HOME" 2>/dev/null; then
      sw_note info.kept "$(cd "$SW_HOME" && printf '%s ' "$SW_HOME"/*)"
    fi
  fi
  [ -d /etc/stack-wizard ] && sw_note info.kept /etc/stack-wizard
  if [ "$removed" = 1 ]; then sw_say info.uninstalled; else sw_say info.nothingToRemove; fi
}

# --- main -------------------------------------------------------------------------------------

sw_main() {
  # `source install.sh --source-only` loads the functions for tests and runs nothing.
  if [ "${1:-}" = --source-only ]; then
    sw_defaults
    sw_messages
    return 0
  fi
  sw_strict
  umask 022
  sw_defaults
  sw_messages
  SW_LANG=$(sw_detect_lang "$@")
  sw_parse_args "$@"
  if [ "$SW_HELP" = 1 ]; then
    sw_t usage "$SW_NODE_PIN" "$SW_VERSION"
    return 0
  fi
  sw_check_versions
  sw_detect_privilege
  if [ "$SW_UNINSTALL" = 1 ]; then
    sw_uninstall
    return 0
  fi
  sw_require curl tar gzip sha256sum sha512sum base64 od stat readlink mktemp timeout awk sed
  sw_detect_platform
  sw_check_home
  sw_check_link
  trap sw_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  sw_recover
  SW_TMP=$(mktemp -d) || sw_die 1 err.tmp "${TMPDIR:-/tmp}" "${TMPDIR:-/tmp}"
  sw_plan_node
  sw_plan_cli
  sw_commit
  sw_start
}

{ sw_main "$@"; }
