// Latency histogram with buckets 1 % wide (values in µs, up to ~13 min), mergeable across
// processes. Recording is one log and one typed-array increment: it runs once per delivery in the
// subscriber processes, which are the busiest processes of the fan-out case.

const BASE = Math.log(1.01);
const SIZE = 2800; // 1.01^2800 µs ≈ 1.2e12 µs: nothing measured here comes near

export class Histogram {
  constructor() {
    this.buckets = new Uint32Array(SIZE);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  add(us) {
    const b = us <= 1 ? 0 : Math.min(SIZE - 1, Math.floor(Math.log(us) / BASE));
    this.buckets[b]++;
    this.count++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }

  /** A plain object for IPC: the non-empty buckets as [index, count] pairs. */
  toJSON() {
    const buckets = [];
    for (let b = 0; b < SIZE; b++) if (this.buckets[b]) buckets.push([b, this.buckets[b]]);
    return { buckets, count: this.count, sum: this.sum, max: this.max };
  }

  static merge(parts) {
    const h = new Histogram();
    for (const part of parts) {
      for (const [b, n] of part.buckets) h.buckets[b] += n;
      h.count += part.count;
      h.sum += part.sum;
      h.max = Math.max(h.max, part.max);
    }
    return h;
  }

  /** The value at quantile q (the upper edge of its bucket, so at most 1 % high). */
  quantile(q) {
    if (!this.count) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < SIZE; b++) {
      seen += this.buckets[b];
      if (seen >= rank) return Math.min(this.max, Math.exp((b + 1) * BASE));
    }
    return this.max;
  }
}
