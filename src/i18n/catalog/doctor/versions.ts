import { defineCatalog } from '../../define.js';

// Doctor: the series the stack runs against their end of life (checks-versions.ts).
export const versions = defineCatalog(
  {
    'doc.check.versions': 'Server versions still supported (end of life)',
    'doc.ver.ok': 'Every dated series in use is supported for more than {window} days',
    'doc.ver.ending': '{service}: {product} {series} reaches its end of life in {days} days ({eol})',
    'doc.ver.ended': '{service}: {product} {series} is past its end of life ({eol}, {days} days ago)',
    'doc.ver.explain': 'After its end of life a series gets no security fixes. Moving to the next series is a major upgrade: plan it, and test it on a copy first.',
    'doc.ver.ev': '{service} runs {image} ({running}): {product} {series}, supported until {eol}',
    'doc.ver.fix.check': 'stack-wizard update --check lists each service\'s series, its newest patch and its end of life',
    'doc.ver.fix.upgrade': 'the database: stack-wizard update --to-series <next series> --dry-run, then --yes (a backup is taken first); other services: set a supported image in the answers, then stack-wizard update',
  },
  {
    'doc.check.versions': '服务器版本仍受支持（生命周期结束）',
    'doc.ver.ok': '正在使用的各个有日期的系列，距生命周期结束都还有 {window} 天以上',
    'doc.ver.ending': '{service}：{product} {series} 将在 {days} 天后结束生命周期（{eol}）',
    'doc.ver.ended': '{service}：{product} {series} 已过生命周期结束日（{eol}，已过 {days} 天）',
    'doc.ver.explain': '生命周期结束后，这个系列不再有安全修复。换到下一个系列是一次大版本升级：请先规划，并先在副本上测试。',
    'doc.ver.ev': '{service} 运行 {image}（{running}）：{product} {series}，支持到 {eol}',
    'doc.ver.fix.check': 'stack-wizard update --check 会列出每个服务的系列、最新补丁版本和生命周期结束日',
    'doc.ver.fix.upgrade': '数据库：先运行 stack-wizard update --to-series <下一个系列> --dry-run，再加 --yes（会先做备份）；其他服务：在 answers 里设置一个受支持的镜像，再运行 stack-wizard update',
  },
);
