/** Helpers shared by the interop suites. */
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';

/** Next `name` event via `.on` (node's events.once would prefer addEventListener on EventTarget-likes). */
export function nextEvent(em: { on(event: string, fn: (...args: any[]) => void): unknown; off?(event: string, fn: (...args: any[]) => void): unknown; removeListener?(event: string, fn: (...args: any[]) => void): unknown }, name: string): Promise<any[]> {
  return new Promise((resolve) => {
    const fn = (...args: any[]) => {
      (em.off ?? em.removeListener)?.call(em, name, fn);
      resolve(args);
    };
    em.on(name, fn);
  });
}

/** TCP proxy on 127.0.0.1 counting bytes in each direction (to see compression on the wire). */
export async function countingProxy(targetPort: number) {
  const counts = { up: 0, down: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => (counts.up += d.length));
    upstream.on('data', (d) => (counts.down += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const kill = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', kill).on('close', kill);
    upstream.on('error', kill).on('close', kill);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    counts,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function asciiText(n: number): string {
  const base = 'The quick brown fox jumps over the lazy dog 0123456789. ';
  return base.repeat(Math.ceil(n / base.length) + 1).slice(0, n);
}

/** Multi-byte UTF-8 text (2-, 3- and 4-byte sequences) of at least `minBytes` bytes. */
export function utf8Text(minBytes: number): string {
  const base = 'héllo wörld – € ünïcödé 日本語テキスト 🎉🚀𝄞 ';
  let s = '';
  while (Buffer.byteLength(s) < minBytes) s += base;
  return s;
}

/** Deterministic pseudo-random (incompressible) bytes. */
export function randomBytesDet(n: number, seed = n + 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}
