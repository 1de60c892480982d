#!/usr/bin/python3
"""The classic hold model in SimPy 2 (the classic API), a peer for bench/.

P processes each loop `yield hold, self, d` with d ~ Exp(mean) rounded to an
integer microsecond, so there are always P pending event notices. Every
process wake-up is one executed event (the first one is the activation, which
is scheduled at an Exp(mean) delay too, so the initial pending set matches
dynasim's and ns-3's). After N events the process that executes the N-th one
calls stopSimulation(); simulate() returns after that step.

Only simulate() is timed (time.perf_counter), not the creation of the P
processes, as in the other two engines.

Usage: /usr/bin/python3 hold_simpy.py [--pending P] [--events N] [--mean-us M] [--seed S]
Prints one JSON object on stdout.
"""
import argparse
import json
import platform
import random
import sys
import time

import SimPy
from SimPy.Simulation import Process, activate, hold, initialize, now, simulate, stopSimulation


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--pending', type=int, default=100000)
    ap.add_argument('--events', type=int, default=2000000)
    ap.add_argument('--mean-us', type=float, default=100.0)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    pending, target, mean = args.pending, args.events, args.mean_us
    rng = random.Random(args.seed)
    expo = rng.expovariate
    rate = 1.0 / mean
    count = [0]  # events executed (process wake-ups), shared by all processes

    class Holder(Process):
        def run(self):
            c = count
            while True:
                n = c[0] + 1
                c[0] = n
                if n >= target:
                    stopSimulation()
                # int(x + 0.5) == round-half-up of a non-negative x, as Math.round in dynasim
                yield hold, self, int(expo(rate) + 0.5)

    initialize()
    for i in range(pending):
        p = Holder()
        activate(p, p.run(), delay=int(expo(rate) + 0.5))

    t0 = time.perf_counter()
    simulate(until=float('inf'))
    wall = time.perf_counter() - t0

    events = count[0]
    json.dump({
        'engine': 'simpy',
        'version': SimPy.__version__,
        'python': platform.python_version(),
        'pythonExecutable': sys.executable,
        'pending': pending,
        'events': events,
        'meanUs': mean,
        'simTimeUs': now(),
        'wallMs': wall * 1000.0,
        'eventsPerSec': events / wall,
        'rng': 'random.Random (Mersenne Twister) expovariate',
    }, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
