/** Small fixtures for kernel tests: distributions that do not depend on sim/distributions. */
import type { Distribution } from '../../sim/distributions.js';
import type { NetworkOptions } from '../../sim/network.js';
import type { HostOptions } from '../../sim/host.js';

export const fixed = (value: number): Distribution => ({
  sample: () => value,
  mean: value,
  describe: () => `fixed(${value})`,
});

export const flatNetwork = (latencyUs: number): NetworkOptions => ({
  latency: { sameRack: fixed(latencyUs), sameDc: fixed(latencyUs), crossDc: fixed(latencyUs) },
});

export const simpleHost = (name: string, extra: Partial<HostOptions> = {}): HostOptions => ({
  name,
  cpu: { workers: 1, serviceUs: fixed(0) },
  disk: { channels: 1, readUs: fixed(100), writeUs: fixed(200) },
  ...extra,
});
