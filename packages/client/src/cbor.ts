/**
 * `@junction/client/cbor`: CBOR (`wamp.2.cbor`, cbor-x) for the client. Importing this module makes
 * the name `'cbor'` usable in `serializers` and adds CBOR to the default list (after MessagePack,
 * before JSON); the browser entry leaves it out so that JSON-only bundles stay small. The Node entry
 * imports it already.
 * @packageDocumentation
 */
import { cborSerializer } from '@junction/wamp/cbor';
import { loadSerializer } from './serializers.js';

loadSerializer(cborSerializer);

export { cborSerializer };
