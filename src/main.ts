// Bundle entry: run the CLI and hand its exit code to the process.
import { main } from './cli.js';

// A reader that went away (`stack-wizard render … | head`) must not crash the run half way with
// an EPIPE stack trace: the work goes on and finishes; only its output is lost.
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
