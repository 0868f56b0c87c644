"""``clustersim.gym``: a gymnasium environment in which an agent picks which waiting job starts next.

The engine runs until a decision is due: some job of the *window* (the first ``window`` waiting
jobs, in submit order) fits now; with ``backfill=True``, the window is not empty and no job is
reserved. The agent then picks one of them; the engine starts it and runs on
to the next decision. See docs/python.md for the spaces and the reward.

Observation: ``Box(0, 1, (window * 7 + 4,), float32)``. For each window slot (zeros past the
waiting jobs): wait / 1 day (capped at 1), estimate / the workload's largest estimate, the job's
cpu, memory and gpu request as fractions of the cluster's, 1 if it fits now, 1 if the slot holds a
job. Then the cluster: free cpu, memory and gpu fractions, and waiting jobs in the window / window.

Action: ``Discrete(window)``, a slot of the window. ``info["action_mask"]`` (and
``action_masks()``) marks the slots that may be chosen: the jobs that fit now, or with
``backfill=True`` every job of the window (a chosen job that does not fit gets a reservation, and
jobs that do not delay it are backfilled, EASY-style, until it starts). A forbidden action starts
the first allowed job instead and sets ``info["invalid"]``.

Registered as ``clustersim/PickJob-v0`` for ``gymnasium.make``.

Reward (``reward=``): ``"bsld"`` (default) minus the bounded slowdown of every job started during the
step; ``"episode_bsld"`` zero until the end, then minus the episode's mean bounded slowdown (as
RLScheduler); ``"wait"`` minus the waits, in hours, of the jobs started.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Optional

import gymnasium
import numpy as np
from gymnasium import spaces

from . import _clustersim

__all__ = ["ClusterEnv", "swf_scenario"]


def swf_scenario(trace, convention: str = "p", machine: str = "pool") -> dict:
    """A scenario for an SWF trace on the machine its header describes (as scenarios/kth-sp2.toml)."""
    trace = Path(os.fspath(trace)).resolve()
    name = trace.name.split(".")[0]
    return {
        "name": name,
        "workload": {"type": "swf", "path": str(trace), "convention": convention, "machine": machine},
        "policy": {"queue": "fifo"},
        "metrics": {"bsld_tau": "10s"},
    }


class ClusterEnv(gymnasium.Env):
    """Pick the next job to start. ``scenario``: a scenario file or dict; or ``trace``: an SWF file.

    ``overrides`` sets scenario keys (e.g. ``{"workload.first_jobs": 5000}`` cuts a trace);
    ``window`` is the number of waiting jobs the agent sees; ``backfill`` lets it reserve a job
    that does not fit yet. A synthetic workload is drawn anew from each reset's seed; a trace is
    the same every episode, unless ``episode_jobs`` is set: then each episode is that many
    consecutive jobs from a start drawn with the reset's seed (as RLScheduler's 256-job sequences).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        scenario: Any = None,
        trace: Any = None,
        overrides: Optional[Mapping[str, Any]] = None,
        window: int = 128,
        backfill: bool = False,
        reward: str = "bsld",
        episode_jobs: Optional[int] = None,
    ):
        if (scenario is None) == (trace is None):
            raise ValueError("give a scenario or a trace")
        if trace is not None:
            scenario = swf_scenario(trace)
        scenario = dict(scenario) if isinstance(scenario, Mapping) else os.fspath(scenario)
        self._env = _clustersim.Env(
            scenario,
            overrides=dict(overrides) if overrides else None,
            window=window,
            backfill=backfill,
            reward=reward,
            episode_jobs=episode_jobs,
        )
        self.window = window
        self.observation_space = spaces.Box(0.0, 1.0, (self._env.obs_size,), np.float32)
        self.action_space = spaces.Discrete(window)
        self._mask = np.zeros(window, dtype=bool)
        self._done = True

    def _wrap(self, obs, mask):
        self._mask = np.frombuffer(mask, dtype=bool)
        return np.frombuffer(obs, dtype=np.float32)

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        if seed is None:
            seed = int(self.np_random.integers(0, 2**63 - 1))
        obs, mask, done = self._env.reset(seed)
        self._done = done
        obs = self._wrap(obs, mask)
        return obs, {"action_mask": self._mask}

    def step(self, action):
        if self._done:
            raise RuntimeError("the episode is over: call reset()")
        obs, mask, reward, done, invalid = self._env.step(int(action))
        self._done = done
        obs = self._wrap(obs, mask)
        return obs, reward, done, False, {"action_mask": self._mask, "invalid": invalid}

    def action_masks(self) -> np.ndarray:
        """The slots that may be chosen now (for maskable agents)."""
        return self._mask

    def stats(self) -> dict:
        """The simulated time (s), jobs waiting, jobs started and their mean bounded slowdown so far,
        and the trace id of the episode's first job."""
        now, waiting, started, bsld = self._env.stats()
        return {"time": now, "waiting": waiting, "started": started, "bsld_mean": bsld, "first_job": self._env.first_job}


# gymnasium.make("clustersim/PickJob-v0", trace=...) once clustersim.gym is imported.
if "clustersim/PickJob-v0" not in gymnasium.registry:
    gymnasium.register(id="clustersim/PickJob-v0", entry_point="clustersim.gym:ClusterEnv")
