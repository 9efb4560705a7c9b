/**
 * The page side of the Chromium end-to-end suite: bundled by esbuild together with the client's
 * browser entry (`@junction/client` with the default export condition: dist/index.js, the global
 * WebSocket) and its opt-in MessagePack and CBOR modules, it puts the module and a place for state on `globalThis`, where the test's
 * `page.evaluate` callbacks find them.
 */
import * as junction from '@junction/client';
// The browser entry loads JSON only; these add MessagePack and CBOR.
import '@junction/client/msgpack';
import '@junction/client/cbor';

const page = globalThis as unknown as { junction: typeof junction; e2e: { clients: Record<string, unknown>; seen: Record<string, unknown[]> }; e2eReady: boolean };
page.junction = junction;
page.e2e = { clients: {}, seen: {} };
page.e2eReady = true;
