/**
 * `junction router`: a standalone router from `junction.config.json`, or a development router
 * (realm `realm1`, open to anonymous clients) without one. Runs until SIGINT or SIGTERM.
 */
import path from 'node:path';
import type { Router, RouterOptions } from '@junction/router';
import { parseFlags, UsageError, type Command, type CommandIo } from '../cli/args.js';
import { aborted, stopSignal } from '../cli/signals.js';
import { loadConfigFile, ConfigFileError } from '../config/load.js';
import { openListener, routerOptionsFromConfig, type OpenListener } from '../config/router-setup.js';
import type { JunctionConfigFile, ListenerConfig } from '../config/schema.js';

const FLAGS = { config: 'string', port: 'string', host: 'string', verbose: 'boolean', help: 'boolean' } as const;

/** What the router command uses of `@junction/cluster` (loaded only when the config has `cluster`). */
interface ClusterModule {
  clusterOptionsFromConfig(config: { realms?: { name: string }[]; cluster?: unknown }): Record<string, unknown> | undefined;
  attachCluster(router: Router, options: Record<string, unknown>): ClusterHandle;
}
interface ClusterHandle {
  readonly nodeId: string;
  close(): Promise<void>;
  on(event: 'status', listener: (status: { state: string; nodes: string[] }) => void): unknown;
}

/** `junction router`: see its help text and docs/cli.md. */
export const routerCommand: Command = {
  name: 'router',
  summary: 'run a standalone WAMP router (from junction.config.json, or a development router)',
  help: `usage: junction router [--config FILE] [--port N] [--host HOST] [--verbose]

Runs a WAMP router until Ctrl-C or SIGTERM (then it says GOODBYE to every session, leaves the
cluster if any, and exits with 0). It prints one line per listener on stdout:
"listening on ws://127.0.0.1:8080/ws (realms: realm1)".

Without --config: a development router on 127.0.0.1:8080, path /ws, with realm realm1 open to
anonymous clients (every action allowed), and a warning saying so. Do not expose it.

  --config FILE   the router config (JSON; see docs/cli.md for the format), e.g. junction.config.json
  --port N        the port (0: any free port; the line on stdout tells which). With --config, it
                  replaces the port of the config's only listener
  --host HOST     the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --verbose       also log the router's info and debug messages on stderr

A bad config is refused with one line naming the file, the field and the reason, and exit 1.
`,
  async run(argv, io) {
    const flags = parseFlags(argv, FLAGS);
    if (flags.help) {
      io.out(this.help);
      return 0;
    }
    let port: number | undefined;
    if (flags.port !== undefined) {
      port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got "${flags.port}")`);
    }
    if (flags.host !== undefined && flags.host === '') throw new UsageError('--host must not be empty');
    const log: NonNullable<RouterOptions['log']> = (level, message, detail) => {
      if (!flags.verbose && (level === 'debug' || level === 'info')) return;
      const extra = detail instanceof Error ? `: ${detail.message}` : detail !== undefined ? ` ${safeJson(detail)}` : '';
      io.err(`junction router: ${level}: ${message}${extra}\n`);
    };
    const stop = stopSignal();
    try {
      return await serve(flags.config, { port, host: flags.host }, io, log, stop.signal);
    } finally {
      stop.dispose();
    }
  },
};

/** Loads the config (if any), starts the router, its listeners and cluster; stops them on `signal`. */
async function serve(configPath: string | undefined, override: { port: number | undefined; host: string | undefined }, io: CommandIo, log: NonNullable<RouterOptions['log']>, signal: AbortSignal): Promise<number> {
  const modules = { router: await import('@junction/router'), websocket: await import('@junction/websocket') };
  let config: JunctionConfigFile | undefined;
  let options: RouterOptions;
  let listeners: ListenerConfig[];
  if (configPath === undefined) {
    options = { realms: [{ name: 'realm1' }], log };
    listeners = [{ host: override.host ?? '127.0.0.1', port: override.port ?? 8080, path: '/ws' }];
    io.err('junction router: warning: no --config: development router with realm realm1 open to anonymous clients (every action allowed); do not expose it\n');
  } else {
    config = await loadConfigFile(path.resolve(io.cwd, configPath), configPath);
    options = routerOptionsFromConfig(config, modules, configPath, log);
    listeners = config.listeners;
    if (override.port !== undefined || override.host !== undefined) {
      if (listeners.length !== 1) throw new UsageError(`--port and --host need a config with one listener (${configPath} has ${listeners.length}); set the ports in the file`);
      listeners = [{ ...listeners[0]!, ...(override.port !== undefined ? { port: override.port } : {}), ...(override.host !== undefined ? { host: override.host } : {}) }];
    }
  }
  let router: Router;
  try {
    router = new modules.router.Router(options);
  } catch (error) {
    // The config was checked field by field; what is left is the router's own verdict.
    throw configPath !== undefined ? new ConfigFileError(configPath, '', (error as Error).message) : error;
  }
  const open: OpenListener[] = [];
  let cluster: ClusterHandle | undefined;
  const shutdown = async (): Promise<void> => {
    if (cluster !== undefined) await cluster.close().catch((error: unknown) => log('warn', 'cluster: leaving failed', error));
    await router.close();
    await Promise.all(open.map((l) => l.close()));
  };
  try {
    if (config?.cluster !== undefined) cluster = await startCluster(config, configPath!, router, log, io);
    const realms = (options.realms ?? []).map((r) => r.name).join(', ');
    for (const [i, listener] of listeners.entries()) {
      let opened: OpenListener;
      try {
        opened = await openListener(router, listener, `listeners[${i}]`, configPath ?? '');
      } catch (error) {
        if (error instanceof ConfigFileError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        const reason = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : (error as Error).message;
        throw new Error(`cannot listen on ${listener.host}:${listener.port}: ${reason}`);
      }
      open.push(opened);
      io.out(`listening on ${opened.url} (realms: ${realms}${config?.autoCreateRealms ? ', more created on first use' : ''})\n`);
    }
  } catch (error) {
    await shutdown();
    throw error;
  }
  await aborted(signal);
  io.err(`junction router: ${String(signal.reason ?? 'stop')}: shutting down\n`);
  await shutdown();
  io.err('junction router: stopped\n');
  return 0;
}

async function startCluster(config: JunctionConfigFile, shownAs: string, router: Router, log: NonNullable<RouterOptions['log']>, io: CommandIo): Promise<ClusterHandle> {
  // A variable specifier: @junction/cluster is optional, loaded only for configs that cluster.
  const specifier = '@junction/cluster';
  let module: ClusterModule;
  try {
    module = (await import(specifier)) as ClusterModule;
  } catch (error) {
    throw new ConfigFileError(shownAs, 'cluster', `needs the package @junction/cluster (${(error as Error).message.split('\n')[0]})`);
  }
  const options = module.clusterOptionsFromConfig({ realms: config.realms, cluster: config.cluster })!;
  let cluster: ClusterHandle;
  try {
    cluster = module.attachCluster(router, { ...options, log });
  } catch (error) {
    const message = (error as Error).message;
    const named = /^(cluster(?:\.[\w.]+)?):? (.*)$/.exec(message);
    throw new ConfigFileError(shownAs, named?.[1] ?? 'cluster', named?.[2] ?? message);
  }
  let last = '';
  cluster.on('status', (status) => {
    const line = `${status.state}${status.state === 'connected' ? ` (${status.nodes.length} other node${status.nodes.length === 1 ? '' : 's'})` : ''}`;
    if (line === last) return;
    last = line;
    io.err(`junction router: cluster node ${cluster.nodeId}: ${line}\n`);
  });
  return cluster;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
