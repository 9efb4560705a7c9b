/**
 * `npm start`: runs the demo on 127.0.0.1:8080 (or `--port N` / `PORT`, `--host H` / `HOST`) and
 * prints its URL. Stops cleanly on SIGINT / SIGTERM.
 */
import { startDemo } from './demo.js';

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === `--${name}`) return args[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

function fail(message: string, code = 1): never {
  console.error(`junction demo: ${message}`);
  process.exit(code);
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('usage: npm start -- [--port N] [--host H]   (defaults: PORT or 8080, HOST or 127.0.0.1)');
  process.exit(0);
}

const portText = option('port') ?? process.env.PORT ?? '8080';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port "${portText}": --port must be 0-65535`, 2);
const host = option('host') ?? process.env.HOST ?? '127.0.0.1';

const demo = await startDemo({ port, host }).catch((error: NodeJS.ErrnoException) =>
  fail(error.code === 'EADDRINUSE' ? `port ${port} is in use; try --port ${port + 1}` : (error.message ?? String(error))),
);
console.log(`Junction demo: ${demo.url}`);
console.log(`  WAMP endpoint ${demo.wsUrl} (realm realm1), API docs ${demo.url}docs/`);
console.log('  Ctrl+C to stop');

let stopping = false;
function stop(signal: string): void {
  if (stopping) {
    console.log(`\n${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  console.log(`\n${signal}: shutting down`);
  demo.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('junction demo: shutdown failed', error);
      process.exit(1);
    },
  );
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
