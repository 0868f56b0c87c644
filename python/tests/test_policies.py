"""Policies written in Python give exactly the built-in schedules; a view lives for one call only."""

import pandas as pd
import pytest

import clustersim
from clustersim.policies import Easy, Fifo, FirstFit, HeadFifo
from conftest import REPO, kth_scenario

QUICKSTART = REPO / "scenarios" / "quickstart.toml"
SCHEDULE = ["job", "start", "end", "wait", "nodes"]


def same_schedule(a, b):
    pd.testing.assert_frame_equal(a.jobs[SCHEDULE], b.jobs[SCHEDULE])
    metrics = [c for c in a.summary.columns if c not in ("queue", "selection")]
    pd.testing.assert_frame_equal(a.summary[metrics], b.summary[metrics])


def test_python_fifo_is_the_built_in_fifo_on_the_kth_cut(kth_cut):
    builtin = clustersim.run(kth_scenario(kth_cut, "fifo"))
    python = clustersim.run(kth_scenario(kth_cut, "easy_backfill"), queue=Fifo())
    assert python.summary.iloc[0]["queue"] == "python:Fifo"
    same_schedule(python, builtin)
    same_schedule(clustersim.run(kth_scenario(kth_cut, "easy_backfill"), queue=HeadFifo()), builtin)


def test_python_easy_is_the_built_in_easy_on_the_kth_cut(kth_cut):
    builtin = clustersim.run(kth_scenario(kth_cut, "easy_backfill"))
    python = clustersim.run(kth_scenario(kth_cut, "fifo"), queue=Easy())
    same_schedule(python, builtin)
    assert builtin.summary.iloc[0]["wait_mean"] < clustersim.run(kth_scenario(kth_cut)).summary.iloc[0]["wait_mean"]


def test_python_easy_on_a_multi_resource_cluster():
    over = {"workload.jobs": 1000}
    builtin = clustersim.run(QUICKSTART, overrides={**over, "policy.queue": "easy_backfill"})
    same_schedule(clustersim.run(QUICKSTART, overrides=over, queue=Easy()), builtin)


def test_python_first_fit_is_the_built_in_first_fit():
    over = {"workload.jobs": 1000, "policy.selection": "first_fit"}
    builtin = clustersim.run(QUICKSTART, overrides=over)
    python = clustersim.run(QUICKSTART, overrides={**over, "policy.selection": "round_robin"}, selection=FirstFit())
    same_schedule(python, builtin)
    assert python.summary.iloc[0]["selection"] == "python:FirstFit"


def test_a_policy_may_return_the_jobs_to_start():
    class Smallest:
        def schedule(self, view):
            return sorted(view.waiting, key=lambda j: view.job(j).total[0])

    r = clustersim.run(QUICKSTART, overrides={"workload.jobs": 300}, queue=Smallest())
    assert r.summary.iloc[0]["completed"] == 300


def test_the_view_reports_the_cluster():
    seen = []

    class Probe(Fifo):
        def schedule(self, view):
            if not seen:
                j = view.waiting[0]
                seen.append((view.now, view.total, view.free, view.job(j), len(view), view.tiers, len(view.users)))
                self.view = view
            super().schedule(view)

    p = Probe()
    clustersim.run(QUICKSTART, overrides={"workload.jobs": 50}, queue=p)
    now, total, free, job, n, tiers, users = seen[0]
    assert total == (48 * 32 + 8 * 64 + 8 * 32, 48 * 131072 + 8 * 524288 + 8 * 262144, 32)
    assert free == total and n == 1 and job.index == 0 and job.wait == 0.0 and job.submit == now
    assert tiers == ["batch", "prod"] and users == 8
    with pytest.raises(RuntimeError, match="valid only during"):
        p.view.waiting


def test_a_policy_error_is_raised_by_run():
    class Broken:
        def schedule(self, view):
            raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        clustersim.run(QUICKSTART, overrides={"workload.jobs": 50}, queue=Broken())

    class Wrong:
        def schedule(self, view):
            view.start(10**6)

    with pytest.raises(ValueError, match="no job"):
        clustersim.run(QUICKSTART, overrides={"workload.jobs": 50}, queue=Wrong())
