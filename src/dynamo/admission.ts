/**
 * Admission control for background work (paper §6.5): hint delivery, range
 * transfers and anti-entropy take time slices from a feedback controller
 * that watches foreground health: the chosen percentile (p99) of local
 * storage read latency over a sliding window (60 s) against a target (50 ms).
 *
 * The controller is AIMD over a token rate: every second, if the foreground
 * is healthy the background rate grows by a step; if not, it halves (to a
 * floor, so background work never starves completely). Background tasks ask
 * for tokens (one per operation or per KiB moved) and retry at their next
 * tick when refused. Disabled, every request is granted: the difference is
 * what the paper's Figure 6-era experiment is about.
 *
 * Latencies go into a log-bucketed histogram per one-second slot (64
 * buckets growing by 25% from 10 µs), so the percentile costs O(slots ×
 * buckets) per second and memory is constant.
 */
import { requireInteger, requirePositive } from '../../sim/errors.js';

const BUCKETS = 64;
const BASE_US = 10;
const GROWTH = 1.25;
const LOG_GROWTH = Math.log(GROWTH);

function bucketOf(latencyUs: number): number {
  if (latencyUs <= BASE_US) return 0;
  const b = Math.floor(Math.log(latencyUs / BASE_US) / LOG_GROWTH) + 1;
  return b >= BUCKETS ? BUCKETS - 1 : b;
}

function bucketUpperUs(b: number): number {
  return BASE_US * Math.pow(GROWTH, b);
}

export interface AdmissionOptions {
  readonly enabled: boolean;
  readonly percentile: number;
  readonly windowUs: number;
  readonly targetUs: number;
  /** Background tokens per second at most, and to start with. */
  readonly maxRatePerSec?: number;
  /** Never below this. */
  readonly minRatePerSec?: number;
}

export interface AdmissionStats {
  granted: number;
  refused: number;
  decreases: number;
}

export class AdmissionController {
  readonly enabled: boolean;
  private readonly percentile: number;
  private readonly targetUs: number;
  private readonly slotCount: number;
  /** slots[s * BUCKETS + b]: reads of slot s in bucket b. */
  private readonly slots: Uint32Array;
  private readonly slotTotals: Uint32Array;
  private currentSlot = -1;
  private rate: number;
  private readonly maxRate: number;
  private readonly minRate: number;
  private tokens: number;
  private lastRefillUs = 0;
  private lastAdjustUs = 0;
  readonly stats: AdmissionStats = { granted: 0, refused: 0, decreases: 0 };

  constructor(options: AdmissionOptions) {
    this.enabled = options.enabled;
    this.percentile = requirePositive('admission.percentile', options.percentile);
    this.targetUs = requirePositive('admission.targetUs', options.targetUs);
    this.slotCount = Math.max(1, Math.ceil(requireInteger('admission.windowUs', options.windowUs, 1) / 1_000_000));
    this.slots = new Uint32Array(this.slotCount * BUCKETS);
    this.slotTotals = new Uint32Array(this.slotCount);
    this.maxRate = options.maxRatePerSec ?? 10_000;
    this.minRate = options.minRatePerSec ?? 10;
    this.rate = this.maxRate;
    this.tokens = this.maxRate;
  }

  /** A foreground local read took `latencyUs` (at local time `nowUs`). */
  recordRead(nowUs: number, latencyUs: number): void {
    if (latencyUs < 0) latencyUs = 0; // measured across a backward clock jump
    const slot = Math.floor(nowUs / 1_000_000);
    this.advance(slot);
    const s = ((slot % this.slotCount) + this.slotCount) % this.slotCount;
    this.slots[s * BUCKETS + bucketOf(latencyUs)]!++;
    this.slotTotals[s]!++;
  }

  /** The health signal: the percentile of foreground reads over the window (0 when none). */
  foregroundLatencyUs(): number {
    let total = 0;
    for (let s = 0; s < this.slotCount; s++) total += this.slotTotals[s]!;
    if (total === 0) return 0;
    const rank = Math.ceil((this.percentile / 100) * total);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      for (let s = 0; s < this.slotCount; s++) seen += this.slots[s * BUCKETS + b]!;
      if (seen >= rank) return bucketUpperUs(b);
    }
    return bucketUpperUs(BUCKETS - 1);
  }

  /** The background rate now granted (tokens per second). */
  get ratePerSec(): number {
    return this.enabled ? this.rate : Infinity;
  }

  /** Ask for `cost` tokens of background work at local time `nowUs`. */
  tryAcquire(nowUs: number, cost = 1): boolean {
    if (!this.enabled) {
      this.stats.granted++;
      return true;
    }
    // The local clock can jump backwards (an NTP step, a skew fault): restart the reference points
    // instead of waiting for the clock to catch up with them.
    if (nowUs < this.lastRefillUs) this.lastRefillUs = nowUs;
    if (nowUs < this.lastAdjustUs) this.lastAdjustUs = nowUs;
    this.adjust(nowUs);
    const elapsedUs = nowUs - this.lastRefillUs;
    if (elapsedUs > 0) {
      this.tokens = Math.min(this.rate, this.tokens + (elapsedUs * this.rate) / 1e6);
      this.lastRefillUs = nowUs;
    }
    if (this.tokens >= cost || this.tokens >= this.rate) {
      this.tokens -= cost;
      this.stats.granted++;
      return true;
    }
    this.stats.refused++;
    return false;
  }

  /** AIMD once per second of local time. */
  private adjust(nowUs: number): void {
    if (nowUs - this.lastAdjustUs < 1_000_000) return;
    this.lastAdjustUs = nowUs;
    this.advance(Math.floor(nowUs / 1_000_000));
    if (this.foregroundLatencyUs() > this.targetUs) {
      this.rate = Math.max(this.minRate, this.rate / 2);
      this.stats.decreases++;
    } else {
      this.rate = Math.min(this.maxRate, this.rate + this.maxRate / 20);
    }
  }

  /** Clear slots that fell out of the window. */
  private advance(slot: number): void {
    if (this.currentSlot < 0) {
      this.currentSlot = slot;
      return;
    }
    if (slot <= this.currentSlot) return;
    const steps = Math.min(slot - this.currentSlot, this.slotCount);
    for (let i = 1; i <= steps; i++) {
      const s = (((this.currentSlot + i) % this.slotCount) + this.slotCount) % this.slotCount;
      this.slots.fill(0, s * BUCKETS, (s + 1) * BUCKETS);
      this.slotTotals[s] = 0;
    }
    this.currentSlot = slot;
  }
}
