"""What a queue policy written in Python costs: the built-in fifo and easy_backfill against
clustersim.policies.Fifo and Easy on one trace, with the number of schedule() calls.

    python python/benches/policy_cost.py ../shared/workloads/KTH-SP2-1996-2.1-cln.swf.gz
"""

import argparse
import time

import clustersim
from clustersim.gym import swf_scenario
from clustersim.policies import Easy, Fifo, HeadFifo


class Counted:
    """Counts the calls of the wrapped policy."""

    def __init__(self, policy):
        self.policy, self.calls = policy, 0

    def schedule(self, view):
        self.calls += 1
        return self.policy.schedule(view)


def best_of(n, f):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    sc = swf_scenario(a.trace)
    for name, make in [("fifo", Fifo), ("fifo", HeadFifo), ("easy_backfill", Easy)]:
        builtin, r = best_of(a.repeat, lambda: clustersim.run(sc, overrides={"policy.queue": name}))
        counted = Counted(make())
        python, p = best_of(1, lambda: clustersim.run(sc, queue=counted))
        same = r.csv("jobs") == p.csv("jobs")
        extra = (python - builtin) / counted.calls * 1e6
        print(
            f"{name} ({make.__name__}): built-in {builtin * 1e3:.0f} ms, Python {python * 1e3:.0f} ms, "
            f"{counted.calls} schedule() calls, {extra:.1f} µs more per call; same jobs.csv: {same}"
        )


if __name__ == "__main__":
    main()
