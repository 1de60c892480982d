import { randomBytes } from 'node:crypto';
import { parseSeed, type Seed } from '../../sim/random.js';

/** The seed the user gave, or a fresh one (the only place a run's seed may come from the OS). */
export function seedOrFresh(given: unknown): Seed {
  if (given !== undefined && given !== null && given !== '') return parseSeed(String(given), '--seed');
  return parseSeed(randomBytes(8).readBigUInt64BE(0));
}
