/**
 * The run digest: a 64-bit hash folded over the event stream, always kept,
 * even when no trace is written, so two runs can be compared by 16 hex digits.
 *
 * Definition (dynasim digest v3): two 32-bit lanes (h1, h2), both starting
 * from fixed constants. Each folded number x (an integer below 2^53, or a
 * float that is first reduced to its IEEE-754 bits) is split into lo = x mod
 * 2^32 and hi = floor(x / 2^32); each word w updates the lanes as
 *   h1 = rotl(h1 ^ imul(w, 0xcc9e2d51), 13) * 5 + 0xe6546b64
 *   h2 = imul(h2 ^ (h1 >>> 15), 0x85ebca6b) + w
 * (murmur3-style mixing). An event time t (a non-negative integer below
 * 2^53, folded once per executed event, the hottest fold) is one word:
 * lo XOR imul(hi, 0x9e3779b1), i.e. t itself below 2^32 µs (71 minutes).
 * (v1 folded it as two words.) A record's string value is folded by content,
 * its length then strHash (v1 and v2 interned it and folded its code, so the
 * table of codes grew with every distinct key name and version list of the run).
 * The printed digest is h2 then h1 in hex after a final avalanche. It is not
 * cryptographic; it detects divergence.
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

export class Digest {
  private h1 = 0x9747b28c;
  private h2 = 0x1b873593;
  /** Number of words folded: part of the digest, so a missing event is always a difference. */
  count = 0;

  word(w: number): void {
    let h1 = this.h1 ^ Math.imul(w | 0, 0xcc9e2d51);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    this.h1 = h1;
    this.h2 = (Math.imul(this.h2 ^ (h1 >>> 15), 0x85ebca6b) + (w | 0)) | 0;
    this.count++;
  }

  /** Fold an event time: a non-negative integer below 2^53, as one word (see the file comment). */
  time(t: number): void {
    if (t < 4294967296) this.word(t >>> 0);
    else {
      const hi = Math.floor(t / 4294967296);
      this.word((t - hi * 4294967296) ^ Math.imul(hi, 0x9e3779b1));
    }
  }

  /** Fold a non-negative or negative integer of up to 53 bits. */
  int(x: number): void {
    if (x >= 0 && x < 4294967296) {
      this.word(x >>> 0);
      this.word(0);
    } else if (Number.isSafeInteger(x)) {
      const hi = Math.floor(x / 4294967296);
      this.word(x - hi * 4294967296);
      this.word(hi | 0);
    } else {
      this.float(x);
    }
  }

  float(x: number): void {
    F64[0] = x;
    this.word(U32[0]!);
    this.word(U32[1]!);
  }

  /**
   * Fold a string as two words, its length and a 32-bit hash of its UTF-16
   * code units (see strHash): for values that are
   * mostly distinct (key names, version lists), which must not be interned.
   */
  strHash(s: string): void {
    this.word(s.length);
    this.word(strHash(s));
  }

  hex(): string {
    let a = this.h1 ^ this.count;
    let b = this.h2 ^ Math.floor(this.count / 4294967296);
    a = fmix(a ^ b);
    b = fmix(b ^ a);
    return (b >>> 0).toString(16).padStart(8, '0') + (a >>> 0).toString(16).padStart(8, '0');
  }
}

/** A 32-bit hash of a string's UTF-16 code units (MurmurHash2's multiplier per unit, then murmur3's finaliser). */
export function strHash(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  return fmix(h);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
