/** `junction call <uri> [json]`: calls a procedure on any WAMP router and prints the result as JSON. */
import { parseCommandLine, UsageError, type Command } from '../cli/args.js';
import { payload, toJsonLine } from '../cli/json-output.js';
import { stopSignal } from '../cli/signals.js';
import { CONNECTION_FLAGS, CONNECTION_HELP, connectFromFlags, PAYLOAD_FLAGS, PAYLOAD_HELP, readPayload, readUri } from '../cli/wamp-client.js';

const FLAGS = { ...CONNECTION_FLAGS, ...PAYLOAD_FLAGS, timeout: 'string', progress: 'boolean' } as const;

/** `junction call`: see its help text and docs/cli.md. */
export const callCommand: Command = {
  name: 'call',
  summary: 'call a procedure on a WAMP router and print the result as JSON',
  help: `usage: junction call <uri> [json] [options]

Calls the procedure <uri> and prints its result on stdout as one line of JSON: the first
positional result when it is the only thing returned, else {"args": [...], "kwargs": {...}}.
An error prints one line on stderr (its URI and message) and exits with 1.

  junction call com.example.add '[1, 2]'                 # args [1, 2]
  junction call com.example.greet '{"name": "Ada"}'     # kwargs {name: "Ada"}
  junction call com.example.add --args '[1]' --kwargs '{"b": 2}'

${PAYLOAD_HELP}

Call:
  --timeout MS        give up after MS milliseconds (wamp.error.timeout; the router cancels the call)
  --progress          ask for progressive results and print each one as a line before the result

${CONNECTION_HELP}
`,
  async run(argv, io) {
    const { flags, positionals } = parseCommandLine(argv, FLAGS, 2);
    if (flags.help) {
      io.out(this.help);
      return 0;
    }
    const uri = readUri(positionals[0], 'procedure');
    const { args, kwargs } = readPayload(positionals[1], flags);
    let timeout: number | undefined;
    if (flags.timeout !== undefined) {
      timeout = Number(flags.timeout);
      if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds (got "${flags.timeout}")`);
    }
    const stop = stopSignal();
    try {
      const client = await connectFromFlags(flags, io);
      try {
        const result = await client.call(uri, args, kwargs, {
          signal: stop.signal,
          ...(timeout !== undefined ? { timeout } : {}),
          ...(flags.progress ? { onProgress: (partial: { args: unknown[]; kwargs: Record<string, unknown> }) => io.out(`${toJsonLine(payload(partial.args, partial.kwargs))}\n`) } : {}),
        });
        io.out(`${toJsonLine(payload(result.args, result.kwargs))}\n`);
        return 0;
      } catch (error) {
        if (!stop.signal.aborted) throw error;
        io.err('junction call: canceled\n');
        return 130;
      } finally {
        await client.close();
      }
    } finally {
      stop.dispose();
    }
  },
};
