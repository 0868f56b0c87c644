"""clustersim.run and clustersim.sweep: the tables are the CLI's files, scenarios as paths, dicts and overrides."""

import subprocess

import pandas as pd
import pytest

import clustersim
from conftest import REPO

QUICKSTART = REPO / "scenarios" / "quickstart.toml"
TABLES = ["jobs", "summary", "timeline", "tiers", "users"]


def test_run_tables_are_the_cli_files(cli, tmp_path):
    subprocess.run(
        [str(cli), "run", str(QUICKSTART), "--seed", "7", "--out", str(tmp_path / "cli"), "--no-charts", "-q"],
        check=True,
    )
    r = clustersim.run(QUICKSTART, seed=7)
    for name in TABLES:
        text = (tmp_path / "cli" / f"{name}.csv").read_text()
        assert r.csv(name) == text, name
        expected = pd.read_csv(tmp_path / "cli" / f"{name}.csv")
        pd.testing.assert_frame_equal(getattr(r, name), expected)
    assert len(r.jobs) == 3000 and len(r.timeline) > 100


def test_run_writes_no_file_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clustersim.run(QUICKSTART, seed=1, overrides={"workload.jobs": 200})
    assert list(tmp_path.iterdir()) == []
    clustersim.run(QUICKSTART, seed=1, overrides={"workload.jobs": 200}, out=tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["jobs.csv", "summary.csv", "timeline.csv", "tiers.csv", "users.csv", "nodes.csv", "starvation.csv", "manifest.json"]
    )


def test_overrides_and_seeds():
    a = clustersim.run(QUICKSTART, seed=5, overrides={"policy.queue": "easy_backfill", "workload.jobs": 500})
    s = a.summary.iloc[0]
    assert (s["queue"], s["seed"], s["jobs"]) == ("easy_backfill", 5, 500)
    b = clustersim.run(QUICKSTART, seed=5, overrides={"policy.queue": "easy_backfill", "workload.jobs": 500})
    pd.testing.assert_frame_equal(a.jobs, b.jobs)  # deterministic
    c = clustersim.run(QUICKSTART, seed=6, overrides={"workload.jobs": 500})
    assert not a.jobs["submit"].equals(c.jobs["submit"])


def test_a_scenario_as_a_dict():
    scenario = {
        "name": "two-nodes",
        "cluster": {"pools": [{"name": "p", "count": 2, "cpu": 4}]},
        "workload": {
            "type": "list",
            "jobs": [
                {"submit": 0, "runtime": 100, "cpu": 4},
                {"submit": 10, "runtime": 50, "cpu": 4, "tasks": 2},
                {"submit": 20, "runtime": 30, "cpu": 2},
            ],
        },
        "policy": {"queue": "fifo"},
    }
    r = clustersim.run(scenario)
    assert list(r.jobs["start"]) == [0, 100, 150]
    assert list(r.jobs["end"]) == [100, 150, 180]
    assert r.summary.iloc[0]["scenario"] == "two-nodes"
    easy = clustersim.run(scenario, overrides={"policy.queue": "easy_backfill"})
    assert list(easy.jobs["start"]) == [0, 100, 20]  # job 3 ends by job 2's reservation: backfilled


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="queue"):
        clustersim.run(QUICKSTART, overrides={"policy.queue": "no_such_queue"})
    with pytest.raises(ValueError, match="nope.toml"):
        clustersim.run("nope.toml")


def test_sweep_has_its_comparison(tmp_path):
    sc = clustersim.scenario_toml(QUICKSTART, overrides={"workload.jobs": 300})
    assert "jobs = 300" in sc
    res = clustersim.sweep(
        QUICKSTART,
        overrides={"workload.jobs": 300, "sweep": {"queue": ["fifo", "easy_backfill"], "replications": 2}},
        jobs=1,
    )
    assert res.failures == []
    assert len(res.summary) == 4
    assert len(res.comparison) == 2
    assert set(res.comparison["queue"]) == {"fifo", "easy_backfill"}


def test_sweep_tables_are_the_cli_files(cli, tmp_path):
    over = {"workload.jobs": 300, "sweep": {"queue": ["fifo", "easy_backfill"], "replications": 2}}
    toml = tmp_path / "study.toml"
    toml.write_text(clustersim.scenario_toml(QUICKSTART, overrides=over))
    subprocess.run([str(cli), "run", str(toml), "--out", str(tmp_path / "cli"), "--no-charts", "-q"], check=True)
    res = clustersim.sweep(toml, out=tmp_path / "py", jobs=1)
    for name in ["summary", "comparison"]:
        assert res.csv(name) == (tmp_path / "cli" / f"{name}.csv").read_text(), name


def test_written_outputs_replace_an_earlier_run(tmp_path):
    out = tmp_path / "out"
    clustersim.run(QUICKSTART, overrides={"workload.jobs": 100}, out=out)
    (out / "events.csv").write_text("from an earlier run with --events\n")
    (out / "notes.txt").write_text("mine")
    r = clustersim.run(QUICKSTART, seed=2, overrides={"workload.jobs": 100}, out=out)
    assert not (out / "events.csv").exists() and (out / "notes.txt").read_text() == "mine"
    assert (out / "jobs.csv").read_text() == r.csv("jobs")


def test_errors_quote_the_line_of_the_text_run():
    with pytest.raises(ValueError) as e:
        clustersim.run(QUICKSTART, overrides={"workload.jobs": 0})
    msg = str(e.value)
    assert "quickstart.toml (with overrides): line" in msg and "key `workload.jobs`" in msg and "| jobs = 0" in msg
    with pytest.raises(ValueError, match=r"x \(a dict\).*policy.queue"):
        clustersim.run({"name": "x", "cluster": {"pools": [{"name": "p", "count": 1, "cpu": 4}]},
                        "workload": {"type": "list", "jobs": [{"submit": 0, "runtime": 1}]},
                        "policy": {"queue": "nope"}})
