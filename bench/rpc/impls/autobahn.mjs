// Autobahn|JS 22.11.1 (JSON serializer) calling add(a, b) on the Junction router. The router
// side is exactly the one of `junction-json` (embedded callee session, see junction.mjs), so the
// difference between the two rows is the caller library.

import autobahn from 'autobahn';
import { HOST, PROCEDURE, REALM } from '../common.mjs';

export { serve } from './junction.mjs';

export function connect(port) {
  return new Promise((resolve, reject) => {
    const connection = new autobahn.Connection({
      url: `ws://${HOST}:${port}/ws`,
      realm: REALM,
      serializers: [new autobahn.serializer.JSONSerializer()],
      max_retries: 0,
      retry_if_unreachable: false,
    });
    connection.onopen = (session) =>
      resolve({
        call: (a, b) => session.call(PROCEDURE, [a, b]),
        close: () =>
          new Promise((done) => {
            connection.onclose = () => {
              done();
              return true; // do not reconnect
            };
            connection.close();
          }),
      });
    connection.onclose = (reason, details) => {
      reject(new Error(`autobahn connection closed: ${reason} ${JSON.stringify(details)}`));
      return true;
    };
    connection.open();
  });
}
