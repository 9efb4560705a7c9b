/**
 * `@junction/client/msgpack`: MessagePack (`wamp.2.msgpack`, msgpackr) for the client. Importing
 * this module makes the name `'msgpack'` usable in `serializers` and puts MessagePack first in the
 * default list; the browser entry leaves it out so that JSON-only bundles stay small. The Node
 * entry imports it already.
 * @packageDocumentation
 */
import { msgpackSerializer } from '@junction/wamp/msgpack';
import { loadSerializer } from './serializers.js';

loadSerializer(msgpackSerializer);

export { msgpackSerializer };
