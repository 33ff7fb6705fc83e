// The "server lost" half of `restore --from-s3`: a downloaded backup's config archive (compose
// file, .env with the stack's secrets, answers, rendered configs, certificates) unpacked into an
// empty install dir, so init rebuilds the same stack (the same passwords, which the restored
// database's users need) before the data is restored into it. Files already there are kept.
import type { Context } from '../context.js';
import { join } from 'node:path';
import type { Manifest } from '../domain/backup.js';
import { opError, usageError } from '../errors.js';
import { backupPassphrase, decompressStage, decryptStage, requireDecompressor, requireGpg } from './stack-tools.js';

export async function unpackConfig(
  ctx: Context,
  o: { installDir: string; dir: string; manifest: Manifest; passphraseFile?: string | undefined },
): Promise<string[]> {
  const m = o.manifest;
  const f = m.files.find((x) => x.kind === 'config');
  if (!f) throw opError('err.rs.noConfigArchive', { id: m.id });
  await requireDecompressor(ctx, m.compression);
  const stages = [];
  if (m.encryption) {
    await requireGpg(ctx);
    const pass = await backupPassphrase(ctx, o.passphraseFile);
    if (!pass) throw usageError('err.bk.encryptedNoPassphrase', { id: m.id });
    stages.push(decryptStage(pass));
  }
  stages.push(decompressStage(m.compression));
  await ctx.exec.mkdir(o.installDir, 0o755);
  const r = await ctx.exec.pipe(
    [...stages, { cmd: 'tar', args: ['-C', o.installDir, '--numeric-owner', '--skip-old-files', '-xvpf', '-'] }],
    { inputFile: join(o.dir, f.name) },
  );
  return r.stdout
    .split('\n')
    .map((l) => l.trim().replace(/^\.\//, ''))
    .filter((l) => l && !l.endsWith('/'));
}
