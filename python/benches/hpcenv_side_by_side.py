"""Steps per second of a random agent in RLScheduler's HPCEnv (DIR-LAB/deep-batch-scheduler,
HPCSimPickJobs.py) and in clustersim.gym, on the same SWF trace, in one process.

    python python/benches/hpcenv_side_by_side.py PATH/TO/deep-batch-scheduler TRACE.swf[.gz]

HPCEnv imports tensorflow, scipy and the old gym at module level for its training helpers; the
environment itself needs none of them, so light stand-ins are put in their place (gym's by
gymnasium). Its episodes are 256-job sequences from a random start, each reset also scheduling the
sequence with SJF and F1 for its reward baseline; both the steps/s with and without resets are
printed. clustersim.gym runs whole-trace episodes with the same window (128).
"""

import gzip
import os
import random
import sys
import tempfile
import time
import types

import numpy as np


def stand_ins():
    import gymnasium

    tf = types.ModuleType("tensorflow")
    scipy = types.ModuleType("scipy")
    scipy.signal = types.ModuleType("scipy.signal")
    gym = types.ModuleType("gym")
    gym.Env, gym.spaces = gymnasium.Env, gymnasium.spaces
    gym.utils = types.ModuleType("gym.utils")
    gym.utils.seeding = types.ModuleType("gym.utils.seeding")
    gym.utils.seeding.np_random = lambda seed=None: (np.random.RandomState(seed), seed)
    sys.modules.update(
        {
            "tensorflow": tf,
            "scipy": scipy,
            "scipy.signal": scipy.signal,
            "gym": gym,
            "gym.spaces": gymnasium.spaces,
            "gym.utils": gym.utils,
            "gym.utils.seeding": gym.utils.seeding,
        }
    )


def hpcenv(repo, trace, seconds):
    stand_ins()
    sys.path.insert(0, repo)
    from HPCSimPickJobs import HPCEnv

    env = HPCEnv()
    env.seed(0)
    env.my_init(workload_file=trace)
    rng = random.Random(0)
    steps, episodes, in_reset = 0, 0, 0.0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        r = time.perf_counter()
        env.reset()
        in_reset += time.perf_counter() - r
        episodes += 1
        done = False
        while not done:
            allowed = [i for i, p in enumerate(env.pairs) if p[0]]
            a = allowed[rng.randrange(len(allowed))] if allowed else 0
            _, _, done, *_ = env.step(a)
            steps += 1
    total = time.perf_counter() - t0
    return steps, episodes, total, in_reset


def clustersim_env(trace, seconds):
    from clustersim.gym import ClusterEnv

    env = ClusterEnv(trace=trace, window=128)
    rng = random.Random(0)
    steps, episodes = 0, 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        _, info = env.reset(seed=episodes)
        episodes += 1
        done = False
        while not done:
            allowed = np.flatnonzero(info["action_mask"])
            _, _, done, _, info = env.step(allowed[rng.randrange(len(allowed))])
            steps += 1
    return steps, episodes, time.perf_counter() - t0


def main():
    repo, trace = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
    with tempfile.TemporaryDirectory() as tmp:
        # HPCEnv reads plain SWF, and fails on a job with no processors (KTH has one): as
        # clustersim's convention P does, such a job asks for one.
        plain = os.path.join(tmp, "trace.swf")
        with (gzip.open(trace, "rt") if trace.endswith(".gz") else open(trace)) as f, open(plain, "w") as g:
            for line in f:
                fields = line.split()
                if fields and not line.startswith(";") and int(fields[4]) <= 0 and int(fields[7]) <= 0:
                    fields[4] = "1"
                    line = " ".join(fields) + "\n"
                g.write(line)
        t = time.perf_counter()
        steps, episodes, total, in_reset = hpcenv(repo, plain, seconds)
        print(
            f"HPCEnv: {steps} steps in {episodes} episodes, {total:.1f} s: {steps / total:,.0f} steps/s "
            f"({steps / (total - in_reset):,.0f} without the resets)"
        )
        steps, episodes, total = clustersim_env(trace, seconds)
        print(f"clustersim.gym: {steps} steps in {episodes} episodes, {total:.1f} s: {steps / total:,.0f} steps/s")


if __name__ == "__main__":
    main()
