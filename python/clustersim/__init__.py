"""clustersim: a discrete-event cluster-scheduling simulator, from Python.

- ``run(scenario, seed=None, overrides=None, out=None, queue=None, selection=None)`` simulates one
  run and returns a :class:`Result` whose ``jobs``, ``summary``, ``timeline``, ``tiers`` and
  ``users`` are pandas DataFrames with the columns and values of the CSV files the CLI writes.
- ``sweep(scenario, ...)`` runs the study of a scenario's ``[sweep]`` and returns its
  ``summary`` and ``comparison`` tables.
- ``queue=`` / ``selection=`` take policies written in Python (see ``clustersim.policies``).
- ``clustersim.gym`` is a gymnasium environment over the engine.

A scenario is a path to a TOML file or a dict of the same shape; ``overrides`` sets dotted keys,
e.g. ``{"policy.queue": "easy_backfill", "workload.jobs": 500}``.
"""

from __future__ import annotations

import os

from . import _clustersim

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing alone would double the import time
    from typing import Any, Mapping, Optional, Union

__all__ = ["run", "sweep", "Result", "SweepResult", "scenario_toml"]

# A scenario: a path to a TOML file (str or os.PathLike) or a mapping of the same shape.
Scenario = "Union[str, os.PathLike[str], Mapping[str, Any]]"

def _frame(text: str):
    import io

    import pandas as pd

    return pd.read_csv(io.StringIO(text))


def _scenario_arg(scenario: "Scenario"):
    return dict(scenario) if hasattr(scenario, "keys") else os.fspath(scenario)


class _Tables:
    """Tables made from CSV text (``self.csv(name)``) into DataFrames on first access, and kept."""

    _frames: dict

    def csv(self, name: str) -> str:
        raise NotImplementedError

    def _table(self, name: str):
        if name not in self._frames:
            self._frames[name] = _frame(self.csv(name))
        return self._frames[name]


class Result(_Tables):
    """One finished run. Each table is made from the run on first access and kept."""

    def __init__(self, raw: "_clustersim.Run"):
        self._raw = raw
        self._frames = {}

    @property
    def jobs(self):
        """``jobs.csv``: one row per job."""
        return self._table("jobs")

    @property
    def summary(self):
        """``summary.csv``: one row, the run's identity and every metric."""
        return self._table("summary")

    @property
    def timeline(self):
        """``timeline.csv``: the sampled timeline (empty without ``metrics.sample_interval``)."""
        return self._table("timeline")

    @property
    def tiers(self):
        """``tiers.csv``: one row per tier."""
        return self._table("tiers")

    @property
    def users(self):
        """``users.csv``: one row per user."""
        return self._table("users")

    @property
    def events(self) -> int:
        """Events the engine processed."""
        return self._raw.events

    def csv(self, name: str) -> str:
        """The text of ``NAME.csv`` exactly as the CLI writes it (jobs, summary, timeline, tiers, users)."""
        return getattr(self._raw, f"{name}_csv")()

    def write(self, out: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the run's files into the folder ``out`` (as ``clustersim run --no-charts``)."""
        self._raw.write(os.fspath(out))

    def __str__(self) -> str:
        return self._raw.summary_text()

    def __repr__(self) -> str:
        return f"<clustersim.Result {self.summary.iloc[0]['scenario']!r}, {self.events} events>"


def run(
    scenario: Scenario,
    seed: Optional[int] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    queue: Any = None,
    selection: Any = None,
) -> Result:
    """Simulates ``scenario`` once. Writes no file unless ``out`` names a folder.

    ``queue``: a Python object with ``schedule(view)`` that replaces the scenario's queue
    discipline; ``selection``: one with ``select(job, free, placed)`` that replaces its node
    selection (docs/python.md).
    """
    raw = _clustersim.run(
        _scenario_arg(scenario),
        seed=seed,
        overrides=dict(overrides) if overrides else None,
        queue=queue,
        selection=selection,
    )
    result = Result(raw)
    if out is not None:
        result.write(out)
    return result


class SweepResult(_Tables):
    """A finished study: ``summary`` (one row per run) and ``comparison`` (one row per
    configuration: mean, confidence interval and differences), as ``clustersim sweep`` writes them;
    each made into a DataFrame on first access."""

    def __init__(self, texts: dict, failures: list):
        self._texts = texts
        self._frames = {}
        self.failures = failures

    @property
    def summary(self):
        """``summary.csv``: one row per run."""
        return self._table("summary")

    @property
    def comparison(self):
        """``comparison.csv``: one row per configuration."""
        return self._table("comparison")

    def csv(self, name: str) -> str:
        """The text of ``summary.csv`` or ``comparison.csv``."""
        return self._texts[name]

    def __repr__(self) -> str:
        return f"<clustersim.SweepResult {len(self.summary)} runs, {len(self.failures)} failed>"


def sweep(
    scenario: Scenario,
    seed: Optional[int] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    out: Optional[Union[str, "os.PathLike[str]"]] = None,
    jobs: int = 0,
) -> SweepResult:
    """Runs the study of ``scenario`` (its ``[sweep]`` section) on ``jobs`` threads (0: one per core).

    Its files go to ``out`` when given, else to a temporary folder removed afterwards.
    """

    def go(folder: str) -> SweepResult:
        failures = _clustersim.sweep(
            _scenario_arg(scenario), folder, seed=seed, overrides=dict(overrides) if overrides else None, jobs=jobs
        )
        texts = {}
        for name in ("summary", "comparison"):
            with open(os.path.join(folder, f"{name}.csv"), encoding="utf-8") as f:
                texts[name] = f.read()
        return SweepResult(texts, failures)

    if out is not None:
        return go(os.fspath(out))
    import tempfile

    with tempfile.TemporaryDirectory(prefix="clustersim-sweep-") as folder:
        return go(folder)


def scenario_toml(scenario: Scenario, overrides: Optional[Mapping[str, Any]] = None) -> str:
    """The TOML text ``run`` and ``sweep`` read for ``scenario`` with ``overrides``."""
    return _clustersim.scenario_toml(_scenario_arg(scenario), overrides=dict(overrides) if overrides else None)
