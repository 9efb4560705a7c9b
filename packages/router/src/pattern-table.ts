import type { MatchPolicy } from '@junction/wamp';

/**
 * Subscriptions and registrations by (match policy, URI pattern), with the lookups the broker and
 * the dealer need: every pattern that matches a URI (events go to all of them) and the single
 * best one (a call goes to one registration).
 *
 * Exact patterns are a Map lookup. Prefix patterns are found by walking the URI's own prefixes
 * (at most its length in lookups), wildcard patterns by their component count, so a lookup
 * costs little however many patterns there are.
 */
export class PatternTable<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefix = new Map<string, T>();
  /** Shortest and longest prefix pattern held: bounds the walk in {@link forEachMatch}. */
  private prefixLengths = new Map<number, number>();
  /** Wildcard patterns by component count, each with its split components. */
  private readonly wildcard = new Map<number, Map<string, { parts: string[]; value: T }>>();
  private wildcardCount = 0;

  /** Number of patterns held. */
  get size(): number {
    return this.exact.size + this.prefix.size + this.wildcardCount;
  }

  /** The entry for exactly this pattern and policy. */
  get(uri: string, match: MatchPolicy): T | undefined {
    if (match === 'exact') return this.exact.get(uri);
    if (match === 'prefix') return this.prefix.get(uri);
    return this.wildcard.get(componentCount(uri))?.get(uri)?.value;
  }

  /** Adds (or replaces) the entry for this pattern and policy. */
  set(uri: string, match: MatchPolicy, value: T): void {
    if (match === 'exact') {
      this.exact.set(uri, value);
    } else if (match === 'prefix') {
      if (!this.prefix.has(uri)) this.prefixLengths.set(uri.length, (this.prefixLengths.get(uri.length) ?? 0) + 1);
      this.prefix.set(uri, value);
    } else {
      const parts = uri.split('.');
      let byUri = this.wildcard.get(parts.length);
      if (byUri === undefined) this.wildcard.set(parts.length, (byUri = new Map()));
      if (!byUri.has(uri)) this.wildcardCount++;
      byUri.set(uri, { parts, value });
    }
  }

  /** Removes the entry for this pattern and policy; true when there was one. */
  delete(uri: string, match: MatchPolicy): boolean {
    if (match === 'exact') return this.exact.delete(uri);
    if (match === 'prefix') {
      if (!this.prefix.delete(uri)) return false;
      const left = (this.prefixLengths.get(uri.length) ?? 1) - 1;
      if (left === 0) this.prefixLengths.delete(uri.length);
      else this.prefixLengths.set(uri.length, left);
      return true;
    }
    const count = componentCount(uri);
    const byUri = this.wildcard.get(count);
    if (byUri === undefined || !byUri.delete(uri)) return false;
    if (byUri.size === 0) this.wildcard.delete(count);
    this.wildcardCount--;
    return true;
  }

  /** Calls `fn` for every entry whose pattern matches `uri` (the broker's lookup). */
  forEachMatch(uri: string, fn: (value: T, match: MatchPolicy, pattern: string) => void): void {
    const exact = this.exact.get(uri);
    if (exact !== undefined) fn(exact, 'exact', uri);
    if (this.prefix.size > 0) {
      for (const length of this.prefixLengths.keys()) {
        if (length > uri.length) continue;
        const pattern = length === uri.length ? uri : uri.slice(0, length);
        const value = this.prefix.get(pattern);
        if (value !== undefined) fn(value, 'prefix', pattern);
      }
    }
    if (this.wildcardCount > 0) {
      const parts = uri.split('.');
      const byUri = this.wildcard.get(parts.length);
      if (byUri !== undefined) {
        for (const [pattern, entry] of byUri) {
          if (wildcardMatch(entry.parts, parts)) fn(entry.value, 'wildcard', pattern);
        }
      }
    }
  }

  /**
   * The one entry a call to `uri` goes to (the dealer's lookup): an exact registration, else the
   * longest matching prefix, else the matching wildcard whose first literal-vs-empty difference
   * (left to right) is a literal: `a.b..` beats `a...` and `a..c` beats `a...`.
   */
  best(uri: string): { value: T; match: MatchPolicy; pattern: string } | undefined {
    const exact = this.exact.get(uri);
    if (exact !== undefined) return { value: exact, match: 'exact', pattern: uri };
    if (this.prefix.size > 0) {
      let bestLength = -1;
      for (const length of this.prefixLengths.keys()) {
        if (length > uri.length || length <= bestLength) continue;
        if (this.prefix.has(length === uri.length ? uri : uri.slice(0, length))) bestLength = length;
      }
      if (bestLength >= 0) {
        const pattern = bestLength === uri.length ? uri : uri.slice(0, bestLength);
        return { value: this.prefix.get(pattern)!, match: 'prefix', pattern };
      }
    }
    if (this.wildcardCount > 0) {
      const parts = uri.split('.');
      const byUri = this.wildcard.get(parts.length);
      if (byUri === undefined) return undefined;
      let best: { parts: string[]; value: T } | undefined;
      let bestPattern = '';
      for (const [pattern, entry] of byUri) {
        if (!wildcardMatch(entry.parts, parts)) continue;
        if (best === undefined || moreSpecific(entry.parts, best.parts)) {
          best = entry;
          bestPattern = pattern;
        }
      }
      if (best !== undefined) return { value: best.value, match: 'wildcard', pattern: bestPattern };
    }
    return undefined;
  }

  /** Every entry, with its policy and pattern. */
  *entries(): IterableIterator<[value: T, match: MatchPolicy, pattern: string]> {
    for (const [pattern, value] of this.exact) yield [value, 'exact', pattern];
    for (const [pattern, value] of this.prefix) yield [value, 'prefix', pattern];
    for (const byUri of this.wildcard.values()) for (const [pattern, entry] of byUri) yield [entry.value, 'wildcard', pattern];
  }
}

function componentCount(uri: string): number {
  let count = 1;
  for (let i = 0; i < uri.length; i++) if (uri.charCodeAt(i) === 46 /* . */) count++;
  return count;
}

function wildcardMatch(pattern: readonly string[], parts: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p !== '' && p !== parts[i]) return false;
  }
  return true;
}

/** True when wildcard `a` is more specific than `b` (both match the same URI, so literals agree). */
function moreSpecific(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const aLiteral = a[i] !== '';
    const bLiteral = b[i] !== '';
    if (aLiteral !== bLiteral) return aLiteral;
  }
  return false;
}
