/**
 * A FIFO queue that caps how many asynchronous zlib jobs run at once.
 *
 * Each async zlib call occupies a libuv thread-pool slot and its own zlib buffers; thousands
 * in flight (one per busy connection) fragment the heap badly and starve other thread-pool
 * users (fs, dns): see nodejs/node#8871 and websockets/ws#1202. Limiting concurrency per
 * process, not per connection, is the cure, which is why {@link sharedZlibLimiter} exists.
 * @module
 */

/** A job: do the work, then call `done` exactly once (extra calls are ignored). */
export type ZlibJob = (done: () => void) => void;

/** Runs jobs in FIFO order with at most `concurrency` of them running at any time. */
export class ZlibLimiter {
  /** The most jobs running at once. */
  readonly concurrency: number;
  private readonly queue: ZlibJob[] = [];
  private head = 0;
  private running = 0;
  private draining = false;

  /**
   * @param concurrency - A positive integer, or `Infinity` for no cap.
   * @throws RangeError on anything else.
   */
  constructor(concurrency: number) {
    if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
      throw new RangeError(`ZlibLimiter concurrency must be a positive integer or Infinity, got ${concurrency}`);
    }
    this.concurrency = concurrency;
  }

  /** Jobs started and not yet done. */
  get active(): number {
    return this.running;
  }

  /** Jobs waiting for a slot. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /**
   * Queues `job`; it starts now (synchronously) if a slot is free, else when one frees up.
   * If a job throws, its slot is released and the error propagates to whoever started it.
   */
  run(job: ZlibJob): void {
    this.queue.push(job);
    this.drain();
  }

  private drain(): void {
    // A loop, not recursion: jobs that call done() synchronously must not grow the stack.
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.running < this.concurrency && this.head < this.queue.length) {
        const job = this.queue[this.head]!;
        this.queue[this.head++] = undefined as unknown as ZlibJob;
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue.splice(0, this.head);
          this.head = 0;
        }
        this.running++;
        let called = false;
        const done = (): void => {
          if (called) return;
          called = true;
          this.running--;
          this.drain();
        };
        try {
          job(done);
        } catch (err) {
          done();
          // We are unwinding out of the loop: let the jobs still queued start on their own.
          queueMicrotask(() => this.drain());
          throw err;
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

let shared: ZlibLimiter | undefined;

/**
 * The process-wide limiter shared by every permessage-deflate codec. The first call fixes its
 * concurrency (default 10); later calls return the same instance whatever they pass, since
 * the resource being protected, the thread pool, is process-wide too.
 */
export function sharedZlibLimiter(concurrency = 10): ZlibLimiter {
  shared ??= new ZlibLimiter(concurrency);
  return shared;
}
