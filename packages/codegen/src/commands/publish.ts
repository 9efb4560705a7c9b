/** `junction publish <uri> [json]`: publishes an event on any WAMP router. */
import { parseCommandLine, type Command } from '../cli/args.js';
import { CONNECTION_FLAGS, CONNECTION_HELP, connectFromFlags, PAYLOAD_FLAGS, PAYLOAD_HELP, readPayload, readUri } from '../cli/wamp-client.js';

const FLAGS = { ...CONNECTION_FLAGS, ...PAYLOAD_FLAGS, 'no-acknowledge': 'boolean', retain: 'boolean' } as const;

/** `junction publish`: see its help text and docs/cli.md. */
export const publishCommand: Command = {
  name: 'publish',
  summary: 'publish an event on a WAMP router',
  help: `usage: junction publish <uri> [json] [options]

Publishes an event to the topic <uri>. By default it asks the router to acknowledge the
publication, so a refusal (e.g. wamp.error.not_authorized) is reported as an error and exit 1;
on success it prints the publication ID on stderr.

  junction publish com.example.news '["hello"]'
  junction publish com.example.news '{"title": "hello", "lang": "en"}'

${PAYLOAD_HELP}

Publish:
  --no-acknowledge    do not wait for the router's acknowledgement (a refusal then goes unnoticed)
  --retain            ask the router to retain the event for later subscribers (get_retained)

${CONNECTION_HELP}
`,
  async run(argv, io) {
    const { flags, positionals } = parseCommandLine(argv, FLAGS, 2);
    if (flags.help) {
      io.out(this.help);
      return 0;
    }
    const uri = readUri(positionals[0], 'topic');
    const { args, kwargs } = readPayload(positionals[1], flags);
    const client = await connectFromFlags(flags, io);
    try {
      const acknowledge = flags['no-acknowledge'] !== true;
      const published = await client.publish(uri, args, kwargs, { acknowledge, ...(flags.retain ? { retain: true } : {}) });
      if (flags.quiet !== true) io.err(acknowledge && published !== undefined ? `published to ${uri} (publication ${published.publication})\n` : `sent to ${uri}\n`);
      return 0;
    } finally {
      await client.close();
    }
  },
};
