/**
 * Recycled memory for big outgoing frames that must be built (client frames are masked into a
 * copy; the caller's bytes are never touched).
 *
 * A fresh 64 KiB or 1 MiB Buffer per frame is costly here: the allocator hands back memory
 * the kernel must fault in page by page (measured on Node 20: allocate + mask 1 MiB 728 µs,
 * 157 µs into reused memory; 64 KiB: 141 vs 8 µs). So a socket builds its frames in a slab,
 * one region after another; the slab goes back to a small process-wide pool once every write
 * that used it has completed and the socket holds no unwritten frame in it.
 *
 * @module
 */

/**
 * Bytes per slab: room for four 1 MiB frames (a masked frame takes its payload plus a 14-byte
 * header plus up to 7 bytes of alignment, so a slab of exactly 4 MiB held only three). Bigger
 * frames get a Buffer of their own.
 */
export const SLAB_SIZE = 4 * 1024 * 1024 + 128;
/**
 * Free slabs kept for reuse, process-wide, at least. A client that keeps 64 frames of 1 MiB in
 * flight has about 20 slabs in use; with only 4 kept, half of its frames were built in fresh
 * memory again (client CPU per 1 MiB message 3,500 µs; 1,250 µs with 16 kept, ws + bufferutil
 * 2,400). With a fixed 16, such a client still made 82 new slabs for 319 taken in 1.5 s (and
 * dropped 66): so the pool also keeps as many as were in use at once since it was last trimmed.
 */
const MIN_FREE_SLABS = 16;
/**
 * The pool is emptied when no slab was taken for this long, so a burst of big sends does not
 * hold its slabs afterwards. A single unref'd timer, armed only while slabs sit in the pool.
 */
const TRIM_AFTER_MS = 1000;

/** One slab and its bookkeeping. */
export class SendSlab {
  readonly buf: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
  /** Bytes handed out. */
  used = 0;
  /** Socket writes that include bytes of this slab and have not completed. */
  writes = 0;
  /** True while frames built in it wait in a socket's unflushed batch. */
  inBatch = false;
  /** The socket that builds its next frames here; null once it moved on to another slab. */
  owner: SlabOwner | null = null;
}

/** The socket side of a slab: where it keeps its current slab. */
export interface SlabOwner {
  slab: SendSlab | null;
}

const free: SendSlab[] = [];
/** Slabs in use (taken and not yet back in the pool or dropped), and the most at once since the last trim. */
let inUse = 0;
let peakInUse = 0;
let takenSinceTrim = false;
let trimTimer: NodeJS.Timeout | null = null;

/** A slab for `owner` from the pool, or a new one. */
export function takeSlab(owner: SlabOwner): SendSlab {
  takenSinceTrim = true;
  const slab = free.pop() ?? new SendSlab();
  if (++inUse > peakInUse) peakInUse = inUse;
  slab.owner = owner;
  owner.slab = slab;
  return slab;
}

/** The owner moves on (the slab is full, or the socket closed): the slab is recycled once its writes are done. */
export function retireSlab(slab: SendSlab): void {
  if (slab.owner !== null && slab.owner.slab === slab) slab.owner.slab = null;
  slab.owner = null;
  recycleIfUnused(slab);
}

/** Counts a write that carries bytes of `slab`; call {@link slabWritten} when it completes. */
export function slabWriteStarted(slab: SendSlab): void {
  slab.writes++;
  slab.inBatch = false;
}

/** A write that carried bytes of `slab` completed (or failed: its bytes are not needed anymore). */
export function slabWritten(slab: SendSlab): void {
  slab.writes--;
  // An idle socket holds no slab: once nothing is pending, it goes back to the pool.
  if (slab.writes === 0 && !slab.inBatch && slab.owner !== null) retireSlab(slab);
  else recycleIfUnused(slab);
}

function recycleIfUnused(slab: SendSlab): void {
  if (slab.owner !== null || slab.writes > 0 || slab.inBatch) return;
  slab.used = 0;
  inUse--;
  if (free.length < Math.max(MIN_FREE_SLABS, peakInUse)) free.push(slab);
  if (trimTimer === null) {
    trimTimer = setTimeout(trimPool, TRIM_AFTER_MS);
    trimTimer.unref();
  }
}

function trimPool(): void {
  trimTimer = null;
  if (takenSinceTrim) {
    takenSinceTrim = false;
    if (free.length > 0) {
      trimTimer = setTimeout(trimPool, TRIM_AFTER_MS);
      trimTimer.unref();
    }
    return;
  }
  free.length = 0;
  peakInUse = inUse;
}

/** Free slabs in the pool (for tests). @internal */
export function pooledSlabCount(): number {
  return free.length;
}
