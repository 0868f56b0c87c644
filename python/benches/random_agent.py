"""Steps per second of a random (mask-respecting) agent in clustersim.gym on an SWF trace.

    python python/benches/random_agent.py ../shared/workloads/KTH-SP2-1996-2.1-cln.swf.gz [--backfill]

Runs whole episodes (every job of the trace) and prints steps, seconds and steps/s for each.
"""

import argparse
import random
import time

import numpy as np

from clustersim.gym import ClusterEnv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--window", type=int, default=128)
    ap.add_argument("--backfill", action="store_true")
    ap.add_argument("--episodes", type=int, default=3)
    a = ap.parse_args()
    env = ClusterEnv(trace=a.trace, window=a.window, backfill=a.backfill)
    rng = random.Random(0)  # numpy's Generator.choice alone costs about 10 µs a call
    for ep in range(a.episodes):
        t0 = time.perf_counter()
        obs, info = env.reset(seed=ep)
        steps, done, total = 0, False, 0.0
        while not done:
            allowed = np.flatnonzero(info["action_mask"])
            action = allowed[rng.randrange(len(allowed))]
            obs, reward, done, _, info = env.step(action)
            total += reward
            steps += 1
        dt = time.perf_counter() - t0
        s = env.stats()
        print(
            f"episode {ep}: {steps} steps in {dt:.2f} s = {steps / dt:,.0f} steps/s "
            f"(mean bsld {s['bsld_mean']:.1f}, {s['started']} jobs started)"
        )


if __name__ == "__main__":
    main()
