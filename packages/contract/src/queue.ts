/**
 * A push-to-pull queue behind the async iterators of bound contracts (progressive results,
 * events). Leaving a `for await` loop early calls `onReturn` (to cancel or unsubscribe).
 */
export class Queue<T, R = undefined> implements AsyncIterableIterator<T, R | undefined> {
  private readonly items: T[] = [];
  private readonly waiting: { resolve: (r: IteratorResult<T, R | undefined>) => void; reject: (e: unknown) => void }[] = [];
  private finished: { value: R | undefined } | null = null;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly onReturn: () => void = () => {},
    private readonly max = Infinity,
    private readonly onOverflow: () => unknown = () => new Error('queue overflow'),
  ) {}

  /** True once ended, failed or returned. */
  get closed(): boolean {
    return this.finished !== null || this.failure !== null;
  }

  push(item: T): void {
    if (this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter !== undefined) {
      waiter.resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.max) {
      this.fail(this.onOverflow());
      this.onReturn();
      return;
    }
    this.items.push(item);
  }

  end(value?: R): void {
    if (this.closed) return;
    this.finished = { value };
    for (const waiter of this.waiting.splice(0)) waiter.resolve({ value, done: true });
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }

  next(): Promise<IteratorResult<T, R | undefined>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.failure !== null) {
      const { error } = this.failure;
      this.failure = null;
      this.finished = { value: undefined };
      return Promise.reject(error);
    }
    if (this.finished !== null) return Promise.resolve({ value: this.finished.value, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T, R | undefined>> {
    const wasOpen = !this.closed;
    this.items.length = 0;
    this.end();
    if (wasOpen) this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
