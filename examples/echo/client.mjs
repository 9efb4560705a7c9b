// Connects to the echo server, sends a text and a binary message, prints the echoes and closes.
// Run: node examples/echo/client.mjs ws://127.0.0.1:8080/
import { WebSocket } from '@junction/websocket';

const ws = new WebSocket(process.argv[2] ?? 'ws://127.0.0.1:8080/', ['echo.v1']);
let pending = 2;
ws.onopen = () => {
  ws.send('hello, junction');
  ws.send(new Uint8Array([1, 2, 3]));
};
ws.onmessage = (event) => {
  console.log('echo:', typeof event.data === 'string' ? event.data : [...event.data]);
  if (--pending === 0) ws.close(1000, 'done');
};
ws.onclose = (event) => console.log(`closed: ${event.code} ${event.reason}`);
ws.onerror = (event) => {
  console.error('error:', event.message);
  process.exitCode = 1;
};
