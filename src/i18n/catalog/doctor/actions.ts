import { defineCatalog } from '../../define.js';

// Doctor's automatic fixes as the confirmation shows them (describeAction in src/steps/doctor-fixes.ts).
export const actions = defineCatalog(
  {
    // ---- auto fix actions, as the confirmation shows them
    'doc.act.composeUp': 'Start {services} and wait until healthy',
    'doc.act.rollback': 'Tag the last healthy image {id} as {image} again and recreate {service}',
    'doc.act.reloadNginx': 'Reload nginx (it re-reads its config and the app\'s address)',
    'doc.act.restartService': 'Restart {service} and wait until healthy',
    'doc.act.dockerRestart': 'Restart the Docker engine and wait until it answers',
    'doc.act.prune': 'Remove untagged images and the build cache',
    'doc.act.truncate': 'Empty the oversized container log file(s)',
    'doc.act.stopHolder': 'Stop what holds port {port}, then start nginx',
    'doc.act.restore': 'Put back {files} as rendered (your version kept in .stack-wizard/edited/), then restart what reads it',
    'doc.act.redisConfig': 'Set Redis back to redis.conf\'s memory settings',
    'doc.act.redisSave': 'Ask Redis to save again ({command})',
    'doc.act.renewSelf': 'Create a new self-signed certificate and reload nginx',
    'doc.act.renewLe': 'Renew the Let\'s Encrypt certificate and reload nginx',
    'doc.act.dropMirrors': 'Remove dead registry mirror(s) {urls} from daemon.json and reload Docker',
    'doc.act.commands': 'Run the command(s) below',
    'doc.act.security': 'Run stack-wizard security apply for: {steps}',
  },
  {
    'doc.act.composeUp': '启动 {services} 并等待其恢复健康',
    'doc.act.rollback': '把上次健康运行的镜像 {id} 重新标记为 {image}，并重新创建 {service}',
    'doc.act.reloadNginx': '重载 nginx（重新读取配置和应用的地址）',
    'doc.act.restartService': '重启 {service} 并等待其恢复健康',
    'doc.act.dockerRestart': '重启 Docker 引擎并等待它响应',
    'doc.act.prune': '删除无标签镜像和构建缓存',
    'doc.act.truncate': '清空过大的容器日志文件',
    'doc.act.stopHolder': '停止占用 {port} 端口的程序，然后启动 nginx',
    'doc.act.restore': '把 {files} 恢复为生成的版本（你的版本保存在 .stack-wizard/edited/），然后重启读取它的服务',
    'doc.act.redisConfig': '把 Redis 的内存设置改回 redis.conf 中的值',
    'doc.act.redisSave': '让 Redis 重新保存（{command}）',
    'doc.act.renewSelf': '生成新的自签名证书并重载 nginx',
    'doc.act.renewLe': '续期 Let\'s Encrypt 证书并重载 nginx',
    'doc.act.dropMirrors': '从 daemon.json 中删除失效的镜像加速器 {urls}，并让 Docker 重新加载配置',
    'doc.act.commands': '执行下面的命令',
    'doc.act.security': '运行 stack-wizard security apply 的这些步骤：{steps}',
  },
);
