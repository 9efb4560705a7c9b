import { describe, expect, it, vi } from 'vitest';
import { AsyncQueue } from '../src/async-queue.js';

describe('AsyncQueue', () => {
  it('hands items to a waiting consumer and buffers them otherwise, in order', async () => {
    const queue = new AsyncQueue<number>();
    const first = queue.next();
    queue.push(1);
    queue.push(2);
    queue.push(3);
    queue.end();
    expect(await first).toEqual({ value: 1, done: false });
    const rest: number[] = [];
    for await (const n of queue) rest.push(n);
    expect(rest).toEqual([2, 3]);
    expect(queue.push(4)).toBe(false);
  });

  it('delivers buffered items before the failure, the failure once, then the end', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.fail(new Error('broken'));
    expect(await queue.next()).toEqual({ value: 1, done: false });
    await expect(queue.next()).rejects.toThrow('broken');
    expect((await queue.next()).done).toBe(true);
  });

  it('fails a waiting consumer at once', async () => {
    const queue = new AsyncQueue<number>();
    const waiting = queue.next();
    queue.fail(new Error('now'));
    await expect(waiting).rejects.toThrow('now');
  });

  it('starts on the first next() and calls onReturn once when the consumer leaves early', async () => {
    const onStart = vi.fn();
    const onReturn = vi.fn();
    const queue = new AsyncQueue<number>({ onStart, onReturn });
    expect(onStart).not.toHaveBeenCalled();
    queue.push(1);
    for await (const _ of queue) break;
    expect(onStart).toHaveBeenCalledTimes(1);
    expect(onReturn).toHaveBeenCalledTimes(1);
    await queue.return();
    expect(onReturn).toHaveBeenCalledTimes(1);
    expect(queue.push(2)).toBe(false);
  });

  it('fails with the overflow error past max', async () => {
    const queue = new AsyncQueue<number>({ max: 2, overflow: () => new Error('too slow') });
    expect(queue.push(1)).toBe(true);
    expect(queue.push(2)).toBe(true);
    expect(queue.push(3)).toBe(false);
    await expect(queue.next()).rejects.toThrow('too slow');
  });
});
