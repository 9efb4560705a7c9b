import { describe, expect, it } from 'vitest';
import { ZlibLimiter, sharedZlibLimiter } from '../src/zlib-limiter.js';

describe('ZlibLimiter', () => {
  it('starts jobs in FIFO order and never runs more than the cap', () => {
    const limiter = new ZlibLimiter(3);
    const started: number[] = [];
    const dones: Array<() => void> = [];
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      limiter.run((done) => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        dones[i] = () => {
          running--;
          done();
        };
      });
    }
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.active).toBe(3);
    expect(limiter.pending).toBe(7);
    dones[1]!();
    expect(started).toEqual([0, 1, 2, 3]);
    dones[0]!();
    dones[3]!();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 2; i < 10; i++) if (i !== 3) dones[i]!();
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
    expect(limiter.pending).toBe(0);
  });

  it('ignores a second call of done', () => {
    const limiter = new ZlibLimiter(1);
    const started: number[] = [];
    let first: () => void = () => {};
    limiter.run((done) => {
      started.push(0);
      first = done;
    });
    limiter.run(() => started.push(1)); // never finishes
    limiter.run(() => started.push(2));
    first();
    first(); // must not free a second slot
    expect(started).toEqual([0, 1]);
    expect(limiter.active).toBe(1);
  });

  it('handles jobs that finish synchronously without growing the stack', () => {
    const limiter = new ZlibLimiter(1);
    let count = 0;
    let hold: () => void = () => {};
    limiter.run((done) => (hold = done));
    for (let i = 0; i < 200_000; i++) {
      limiter.run((done) => {
        count++;
        done();
      });
    }
    hold();
    expect(count).toBe(200_000);
    expect(limiter.pending).toBe(0);
  });

  it('works asynchronously, in order', async () => {
    const limiter = new ZlibLimiter(2);
    const order: number[] = [];
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          new Promise<void>((resolve) =>
            limiter.run((done) => {
              order.push(i);
              peak = Math.max(peak, ++running);
              setTimeout(() => {
                running--;
                done();
                resolve();
              }, 20 - i);
            }),
          ),
      ),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(2);
  });

  it('releases the slot of a job that throws', async () => {
    const limiter = new ZlibLimiter(1);
    const started: string[] = [];
    let hold: () => void = () => {};
    limiter.run((done) => (hold = done));
    limiter.run(() => {
      throw new Error('boom');
    });
    limiter.run((done) => {
      started.push('after');
      done();
    });
    expect(() => hold()).toThrow('boom');
    await Promise.resolve();
    expect(started).toEqual(['after']);
    expect(limiter.active).toBe(0);
  });

  it('accepts Infinity and rejects bad caps', () => {
    expect(new ZlibLimiter(Infinity).concurrency).toBe(Infinity);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new ZlibLimiter(bad)).toThrow(RangeError);
  });
});

describe('sharedZlibLimiter', () => {
  it('returns one process-wide instance, sized by the first call', () => {
    const a = sharedZlibLimiter(4);
    const b = sharedZlibLimiter(7);
    expect(b).toBe(a);
    expect(a.concurrency).toBe(4);
  });
});
