/** Hooks of an {@link AsyncQueue}. */
export interface AsyncQueueHooks {
  /** Items buffered for a slow consumer before the queue fails with `overflow()`. Default: no limit. */
  max?: number;
  /** The error the queue fails with when `max` is passed. */
  overflow?: () => unknown;
  /** Called on the first `next()`: start producing (lazy subscriptions). */
  onStart?: () => void;
  /** Called once when the consumer stops early (`break` in `for await`, or `return()`). */
  onReturn?: () => void;
}

interface Waiter<T> {
  resolve: (result: IteratorResult<T, undefined>) => void;
  reject: (error: unknown) => void;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ value: undefined, done: true }) as IteratorResult<never, undefined>;

/**
 * A push-to-pull bridge: a producer pushes items, a `for await` loop pulls them. Buffered items are
 * delivered before the end or the failure. Used by `callProgress`, `events` and progressive
 * call invocations (`ctx.inputs`).
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T, undefined> {
  private items: T[] = [];
  private head = 0;
  private waiter: Waiter<T> | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;
  private started = false;
  private returned = false;

  constructor(private readonly hooks: AsyncQueueHooks = {}) {}

  /** True once the producer ended or failed, or the consumer returned. */
  get closed(): boolean {
    return this.ended || this.failure !== null || this.returned;
  }

  /** Adds an item; returns false when the queue is closed (the item is dropped). */
  push(item: T): boolean {
    if (this.closed) return false;
    const waiter = this.waiter;
    if (waiter !== null) {
      this.waiter = null;
      waiter.resolve({ value: item, done: false });
      return true;
    }
    this.items.push(item);
    const max = this.hooks.max;
    if (max !== undefined && this.items.length - this.head > max) {
      this.items = [];
      this.head = 0;
      this.fail(this.hooks.overflow ? this.hooks.overflow() : new Error('queue overflow'));
      return false;
    }
    return true;
  }

  /** The producer is done: the consumer gets the buffered items, then the end. */
  end(): void {
    if (this.closed) return;
    this.ended = true;
    this.settleWaiter();
  }

  /** The producer failed: the consumer gets the buffered items, then `error` (once), then the end. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.settleWaiter();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (!this.started) {
      this.started = true;
      this.hooks.onStart?.();
    }
    if (this.head < this.items.length) {
      const value = this.items[this.head]!;
      this.items[this.head++] = undefined as T;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== null && !this.returned) {
      this.returned = true; // the error is reported once; afterwards the iterator is done
      return Promise.reject(this.failure.error);
    }
    if (this.closed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T, undefined>> {
    if (!this.returned) {
      const wasOpen = !this.ended && this.failure === null;
      this.returned = true;
      this.items = [];
      this.head = 0;
      this.settleWaiter();
      if (wasOpen) this.hooks.onReturn?.();
    }
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    if (waiter === null) return;
    this.waiter = null;
    if (this.failure !== null && !this.returned) {
      this.returned = true;
      waiter.reject(this.failure.error);
    } else {
      waiter.resolve(DONE);
    }
  }
}
