// The real Executor running a real program: a failed command's log line. Moved from the unit
// suite, which starts no programs (docs/ARCHITECTURE.md#tests).
import { describe, expect, it } from 'vitest';
import { RealExecutor } from '../../src/exec/executor.js';

describe('the log file', () => {
  it('a failed command is logged with its exit code and last stderr line, redacted', async () => {
    const lines: string[] = [];
    const exec = new RealExecutor((l) => lines.push(l));
    exec.addSecrets(['hunter2hunter2']);
    await expect(exec.run('sh', ['-c', 'echo "bad password hunter2hunter2" >&2; exit 3'])).rejects.toThrow(/exited 3/);
    expect(lines).toEqual(["run: sh -c 'echo \"bad password ••••••\" >&2; exit 3' → exit 3: bad password ••••••"]);
  });
});
