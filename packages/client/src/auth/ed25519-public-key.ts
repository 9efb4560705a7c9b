/**
 * The Ed25519 public key of a 32-byte seed (RFC 8032 §5.1.5), computed synchronously in plain
 * JavaScript. WebCrypto signs, but only asynchronously, and `ClientAuth.authextra.pubkey` must be
 * known when the HELLO is built; this is the one piece of Ed25519 we compute ourselves. It runs
 * once per `cryptosignAuth` (a few milliseconds). Not constant time: it handles the seed at
 * construction only, never per message; signing itself is WebCrypto's.
 */

const MASK64 = (1n << 64n) - 1n;

/** Primes 2, 3, 5, ... (the first `count`). */
function firstPrimes(count: number): bigint[] {
  const primes: bigint[] = [];
  for (let n = 2; primes.length < count; n++) {
    if (primes.every((p) => n % Number(p) !== 0)) primes.push(BigInt(n));
  }
  return primes;
}

/** floor(n^(1/k)) for k = 2 or 3, by Newton's method from above. */
function integerRoot(n: bigint, k: 2n | 3n): bigint {
  let x = 1n << (BigInt(n.toString(2).length) / k + 1n);
  for (;;) {
    const y = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (y >= x) return x;
    x = y;
  }
}

let sha512Constants: { k: bigint[]; h: bigint[] } | undefined;

/** SHA-512's constants, derived as FIPS 180-4 defines them (fractional bits of prime roots). */
function constants(): { k: bigint[]; h: bigint[] } {
  if (sha512Constants === undefined) {
    const primes = firstPrimes(80);
    sha512Constants = {
      k: primes.map((p) => integerRoot(p << 192n, 3n) & MASK64),
      h: primes.slice(0, 8).map((p) => integerRoot(p << 128n, 2n) & MASK64),
    };
  }
  return sha512Constants;
}

const rotr = (x: bigint, n: bigint): bigint => ((x >> n) | (x << (64n - n))) & MASK64;

/** SHA-512 (FIPS 180-4) of `message`. Slow (BigInt), fine for a few blocks. */
export function sha512(message: Uint8Array): Uint8Array {
  const { k, h: initial } = constants();
  const bitLength = BigInt(message.length) * 8n;
  const padded = new Uint8Array(Math.ceil((message.length + 17) / 128) * 128);
  padded.set(message);
  padded[message.length] = 0x80;
  for (let i = 0; i < 16; i++) padded[padded.length - 1 - i] = Number((bitLength >> BigInt(8 * i)) & 255n);
  const h = initial.slice();
  const w: bigint[] = new Array(80);
  for (let block = 0; block < padded.length; block += 128) {
    for (let t = 0; t < 16; t++) {
      let word = 0n;
      for (let b = 0; b < 8; b++) word = (word << 8n) | BigInt(padded[block + 8 * t + b]!);
      w[t] = word;
    }
    for (let t = 16; t < 80; t++) {
      const s0 = rotr(w[t - 15]!, 1n) ^ rotr(w[t - 15]!, 8n) ^ (w[t - 15]! >> 7n);
      const s1 = rotr(w[t - 2]!, 19n) ^ rotr(w[t - 2]!, 61n) ^ (w[t - 2]! >> 6n);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) & MASK64;
    }
    let [a, b, c, d, e, f, g, hh] = h as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    for (let t = 0; t < 80; t++) {
      const sum1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
      const choose = (e & f) ^ (~e & MASK64 & g);
      const t1 = (hh + sum1 + choose + k[t]! + w[t]!) & MASK64;
      const sum0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (sum0 + majority) & MASK64;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) & MASK64;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) & MASK64;
    }
    const next = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = (h[i]! + next[i]!) & MASK64;
  }
  const out = new Uint8Array(64);
  for (let i = 0; i < 8; i++) for (let b = 0; b < 8; b++) out[8 * i + b] = Number((h[i]! >> BigInt(56 - 8 * b)) & 255n);
  return out;
}

// Curve25519 in twisted Edwards form: -x^2 + y^2 = 1 + d x^2 y^2 over GF(p).
const P = (1n << 255n) - 19n;
const mod = (a: bigint): bigint => ((a % P) + P) % P;

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const inverse = (a: bigint): bigint => power(a, P - 2n);

/** A point in extended coordinates (X, Y, Z, T): x = X/Z, y = Y/Z, x*y = T/Z. */
type Point = readonly [bigint, bigint, bigint, bigint];

let curve: { d2: bigint; base: Point } | undefined;

/** 2d and the base point B (y = 4/5, x even), derived from their definitions in RFC 8032 §5.1. */
function curveConstants(): { d2: bigint; base: Point } {
  if (curve === undefined) {
    const d = mod(-121665n * inverse(121666n));
    const y = mod(4n * inverse(5n));
    const u = mod(y * y - 1n);
    const v = mod(d * y * y + 1n);
    let x = mod(u * power(v, 3n) * power(u * power(v, 7n), (P - 5n) / 8n));
    if (mod(v * x * x) !== u) x = mod(x * power(2n, (P - 1n) / 4n));
    if (x & 1n) x = P - x;
    curve = { d2: mod(2n * d), base: [x, y, 1n, mod(x * y)] };
  }
  return curve;
}

/** Point addition (RFC 8032 §5.1.4); the formula is complete, so it also doubles. */
function add(p: Point, q: Point, d2: bigint): Point {
  const a = mod((p[1] - p[0]) * (q[1] - q[0]));
  const b = mod((p[1] + p[0]) * (q[1] + q[0]));
  const c = mod(p[3] * d2 * q[3]);
  const d = mod(p[2] * 2n * q[2]);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

/** The 32-byte Ed25519 public key of a 32-byte private key seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new TypeError('an Ed25519 private key seed has 32 bytes');
  const digest = sha512(seed);
  digest[0]! &= 248;
  digest[31]! &= 127;
  digest[31]! |= 64;
  let scalar = 0n;
  for (let i = 31; i >= 0; i--) scalar = (scalar << 8n) | BigInt(digest[i]!);
  const { d2, base } = curveConstants();
  let result: Point = [0n, 1n, 1n, 0n];
  let addend: Point = base;
  for (let s = scalar; s > 0n; s >>= 1n) {
    if (s & 1n) result = add(result, addend, d2);
    addend = add(addend, addend, d2);
  }
  const zInverse = inverse(result[2]);
  const x = mod(result[0] * zInverse);
  let y = mod(result[1] * zInverse);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, y >>= 8n) out[i] = Number(y & 255n);
  if (x & 1n) out[31]! |= 0x80;
  return out;
}
