/** `junction subscribe <uri>`: prints the events of a topic as they come, one JSON line each. */
import { parseCommandLine, UsageError, type Command } from '../cli/args.js';
import { payload, toJsonLine } from '../cli/json-output.js';
import { aborted, stopSignal } from '../cli/signals.js';
import { CONNECTION_FLAGS, CONNECTION_HELP, connectFromFlags, readUri } from '../cli/wamp-client.js';

const FLAGS = { ...CONNECTION_FLAGS, match: 'string', count: 'string', details: 'boolean' } as const;

/** `junction subscribe`: see its help text and docs/cli.md. */
export const subscribeCommand: Command = {
  name: 'subscribe',
  summary: 'print the events of a topic as they come, one JSON line each',
  help: `usage: junction subscribe <uri> [options]

Subscribes to <uri> and prints each event on stdout as one line of JSON (the first positional
argument when it is the only thing in the event, else {"args": [...], "kwargs": {...}}), until
Ctrl-C (exit 0), --count events, or the connection is lost (exit 1).

  junction subscribe com.example.news
  junction subscribe com.example. --match prefix --details

Subscribe:
  --match POLICY      exact (default), prefix or wildcard
  --count N           exit after N events
  --details           print {"topic", "publication", "args", "kwargs", "details"} for each event

${CONNECTION_HELP}
`,
  async run(argv, io) {
    const { flags, positionals } = parseCommandLine(argv, FLAGS, 1);
    if (flags.help) {
      io.out(this.help);
      return 0;
    }
    const uri = readUri(positionals[0], 'topic');
    const match = flags.match ?? 'exact';
    if (match !== 'exact' && match !== 'prefix' && match !== 'wildcard') throw new UsageError(`--match must be exact, prefix or wildcard (got "${match}")`);
    let count = Infinity;
    if (flags.count !== undefined) {
      count = Number(flags.count);
      if (!Number.isInteger(count) || count <= 0) throw new UsageError(`--count must be a positive integer (got "${flags.count}")`);
    }
    const stop = stopSignal();
    try {
      const client = await connectFromFlags(flags, io);
      let lost: { reason: string; message: string } | undefined;
      const done = new AbortController();
      client.on('close', (info) => {
        if (!stop.signal.aborted && !done.signal.aborted) {
          lost = { reason: info.reason, message: info.message };
          done.abort();
        }
      });
      let seen = 0;
      try {
        await client.subscribe(
          uri,
          (args, kwargs, details, publication) => {
            if (seen >= count) return;
            seen++;
            const line = flags.details ? { topic: (details as { topic?: string }).topic ?? uri, publication, args, kwargs, details } : payload(args, kwargs);
            io.out(`${toJsonLine(line)}\n`);
            if (seen >= count) done.abort();
          },
          { match },
        );
        if (flags.quiet !== true) io.err(`subscribed to ${uri}${match !== 'exact' ? ` (${match})` : ''}; ${count === Infinity ? 'Ctrl-C to stop' : `waiting for ${count} event${count === 1 ? '' : 's'}`}\n`);
        await Promise.race([aborted(stop.signal), aborted(done.signal)]);
      } finally {
        if (lost === undefined) await client.close();
      }
      if (lost !== undefined) throw new Error(`connection lost: ${lost.reason}${lost.message ? ` (${lost.message})` : ''}`);
      return 0;
    } finally {
      stop.dispose();
    }
  },
};
