// Bundle entry: run the CLI and hand its exit code to the process.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
