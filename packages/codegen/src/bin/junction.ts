#!/usr/bin/env node
/**
 * The `junction` command line: `junction <command> [options]`. Each command is one module under
 * src/commands; errors print one line and exit with code 1.
 */
import { main } from '../cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
