/**
 * A token bucket for one session's message rate: `rate` tokens a second, holding at most `rate`
 * (a burst of one second's worth). Every message takes one token whether or not it is served, so
 * a client that ignores refusals keeps sinking. The balance may go negative down to `-rate`: that
 * debt is what tells a burst (refused for a moment) from sustained abuse (the session is dropped).
 *
 * No timers: the bucket refills lazily from the clock when a message arrives.
 */
export class TokenBucket {
  private readonly rate: number;
  private tokens: number;
  private last: number;

  /** `rate`: tokens per second (and the burst size). `now`: the clock, in ms (for tests). */
  constructor(rate: number, private readonly now: () => number = performance.now.bind(performance)) {
    this.rate = rate;
    this.tokens = rate;
    this.last = now();
  }

  /**
   * Takes one token and returns the balance left: `>= 0` within the limit, `< 0` over it (refuse),
   * `<= -rate` when the debt reached a whole second's worth (drop the session).
   */
  take(): number {
    const now = this.now();
    const elapsed = now - this.last;
    this.last = now;
    let tokens = this.tokens + (elapsed * this.rate) / 1000;
    if (tokens > this.rate) tokens = this.rate;
    tokens -= 1;
    // The debt is bounded, so one quiet second always brings a session back into the limit.
    if (tokens < -this.rate) tokens = -this.rate;
    this.tokens = tokens;
    return tokens;
  }
}
