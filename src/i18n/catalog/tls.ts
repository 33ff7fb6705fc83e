import { defineCatalog } from '../define.js';

// TLS on the server: the operator's own certificate, the self-signed pair, Let's Encrypt with certbot.
export const tls = defineCatalog(
  {
    'tls.step.custom': 'Check the certificate and key (tls: custom; changes nothing)',
    'tls.step.acme': 'Check the ACME server settings (changes nothing)',
    'tls.step.tools': 'Install the TLS tools (openssl, certbot)',
    'tls.step.cert': 'The certificate Nginx starts with',
    'tls.step.issue': "Get the Let's Encrypt certificate",
    'tls.step.renewal': "Enable the Let's Encrypt renewal timer",

    'tls.custom.certMissing': 'certificate.cert: {cert} does not exist; copy the certificate chain (PEM, your server certificate first) there, or correct certificate.cert in the answers file',
    'tls.custom.certInvalid': 'certificate.cert: {cert} is not a PEM certificate ({detail}); it must begin with -----BEGIN CERTIFICATE----- (convert a .crt/.cer in DER form with: openssl x509 -inform der -in FILE -out {cert})',
    'tls.custom.keyMissing': 'certificate.key: {key} does not exist; copy the private key of {cert} there, or correct certificate.key in the answers file',
    'tls.custom.keyInvalid': 'certificate.key: {key} is not a usable private key ({detail}); Nginx needs it in PEM form without a passphrase (remove one with: openssl pkey -in {key} -out {key}.plain)',
    'tls.custom.keyMismatch': 'certificate.key: {key} is not the private key of {cert}; use the key the certificate request was made with (compare: openssl x509 -noout -pubkey -in {cert} and openssl pkey -pubout -in {key})',
    'tls.custom.expired': 'certificate.cert: {cert} expired on {date}; renew it with your CA and copy the new one there',
    'tls.custom.expiresSoon': '{cert} and its key match; it expires on {date}, in {days} day(s): renew it soon',
    'tls.custom.ok': '{cert} and its key match; valid until {date} ({days} days)',
    'tls.custom.otherName': '{cert} does not cover {domain} (it names {names}): browsers will warn; get a certificate for {domain}',
    'tls.err.custom': 'the certificate files in the answers file cannot be used ({count} problem(s)); nothing was changed. Fix these and run init again:',
    'tls.err.unreadable': 'cannot read {file} ({detail}); check its permissions (run as root)',

    'tls.acme.server': "ACME server {url} instead of Let's Encrypt ({env})",
    'tls.acme.serverBad': '{env}={url} is not an https:// ACME directory URL; set it to one (e.g. https://acme.example:14000/dir) or unset it to use Let\'s Encrypt',
    'tls.acme.ca': 'certbot trusts the CA bundle {file} for it ({env})',
    'tls.acme.caBad': '{env}={file} is not a PEM certificate bundle; point it at the CA certificate of the ACME server, or unset it',
    'tls.err.acmeOverride': 'the ACME server settings in the environment cannot be used; nothing was changed:',

    'tls.err.apt': 'could not install {packages} with apt ({detail}); check apt (apt-get update) or the apt mirror (mirrors.apt-*), then run init again',
    'tls.err.openssl': 'openssl did not write the certificate for {file}',

    'tls.cert.missing': 'no certificate yet',
    'tls.cert.unusable': 'the certificate there cannot be used ({detail})',
    'tls.cert.otherName': 'the certificate there is not for {name}',
    'tls.cert.expiring': 'the certificate expires on {date}: a new one',
    'tls.cert.placeholder': 'a placeholder until the first issuance, so Nginx can start',

    'tls.err.issue': "Let's Encrypt did not issue a certificate for {domain} ({server}); the stack keeps serving with a temporary self-signed certificate. Check that {domain} resolves to this server and that port 80 is reachable from the Internet, then run init again. certbot's log: {log}. Its last words:",
    'tls.renewal.noSystemd': 'no systemd on this host: renew from cron instead, twice a day: {cmd}',
  },
  {
    'tls.step.custom': '检查证书与私钥（tls: custom；不做任何修改）',
    'tls.step.acme': '检查 ACME 服务器设置（不做任何修改）',
    'tls.step.tools': '安装 TLS 工具（openssl、certbot）',
    'tls.step.cert': 'Nginx 启动所用的证书',
    'tls.step.issue': "申请 Let's Encrypt 证书",
    'tls.step.renewal': "启用 Let's Encrypt 自动续期定时器",

    'tls.custom.certMissing': 'certificate.cert：{cert} 不存在；请把证书链（PEM 格式，服务器证书在最前）复制到该位置，或在应答文件中改正 certificate.cert',
    'tls.custom.certInvalid': 'certificate.cert：{cert} 不是 PEM 格式的证书（{detail}）；文件应以 -----BEGIN CERTIFICATE----- 开头（DER 格式的 .crt/.cer 可用 openssl x509 -inform der -in 文件 -out {cert} 转换）',
    'tls.custom.keyMissing': 'certificate.key：{key} 不存在；请把 {cert} 对应的私钥复制到该位置，或在应答文件中改正 certificate.key',
    'tls.custom.keyInvalid': 'certificate.key：{key} 不是可用的私钥（{detail}）；Nginx 需要不带密码的 PEM 格式私钥（可用 openssl pkey -in {key} -out {key}.plain 去掉密码）',
    'tls.custom.keyMismatch': 'certificate.key：{key} 不是 {cert} 的私钥；请使用生成证书请求（CSR）时的那个私钥（对比：openssl x509 -noout -pubkey -in {cert} 与 openssl pkey -pubout -in {key}）',
    'tls.custom.expired': 'certificate.cert：{cert} 已于 {date} 过期；请向证书颁发机构续期，并把新证书复制到该位置',
    'tls.custom.expiresSoon': '{cert} 与私钥匹配；将于 {date} 过期，还剩 {days} 天，请尽快续期',
    'tls.custom.ok': '{cert} 与私钥匹配；有效期至 {date}（还剩 {days} 天）',
    'tls.custom.otherName': '{cert} 不包含 {domain}（证书中的名称：{names}）：浏览器会发出警告；请申请 {domain} 的证书',
    'tls.err.custom': '应答文件指定的证书文件无法使用（{count} 个问题）；未做任何修改。请修正以下问题后重新运行 init：',
    'tls.err.unreadable': '无法读取 {file}（{detail}）；请检查文件权限（以 root 身份运行）',

    'tls.acme.server': '使用 ACME 服务器 {url}，而不是 Let\'s Encrypt（{env}）',
    'tls.acme.serverBad': '{env}={url} 不是 https:// 开头的 ACME 目录地址；请设置为正确的地址（如 https://acme.example:14000/dir），或取消该变量以使用 Let\'s Encrypt',
    'tls.acme.ca': 'certbot 信任 CA 证书文件 {file}（{env}）',
    'tls.acme.caBad': '{env}={file} 不是 PEM 格式的 CA 证书文件；请指向该 ACME 服务器的 CA 证书，或取消该变量',
    'tls.err.acmeOverride': '环境变量中的 ACME 服务器设置无法使用；未做任何修改：',

    'tls.err.apt': '无法用 apt 安装 {packages}（{detail}）；请检查 apt（apt-get update）或 apt 镜像源（mirrors.apt-*），然后重新运行 init',
    'tls.err.openssl': 'openssl 没有生成 {file} 的证书',

    'tls.cert.missing': '尚无证书',
    'tls.cert.unusable': '现有证书无法使用（{detail}）',
    'tls.cert.otherName': '现有证书不是 {name} 的',
    'tls.cert.expiring': '证书将于 {date} 过期：生成新证书',
    'tls.cert.placeholder': '首次签发前的临时证书，使 Nginx 能够启动',

    'tls.err.issue': "Let's Encrypt 未能为 {domain} 签发证书（{server}）；服务栈继续使用临时自签名证书。请确认 {domain} 解析到本服务器，且 80 端口可从互联网访问，然后重新运行 init。certbot 日志：{log}。最后的输出：",
    'tls.renewal.noSystemd': '本主机没有 systemd：请改用 cron 每天执行两次续期：{cmd}',
  },
);
