"""clustersim.gym: gymnasium's checker, masks, rewards, determinism, and FCFS through the env."""

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

import clustersim  # noqa: E402
from clustersim.gym import ClusterEnv  # noqa: E402
from conftest import REPO, kth_scenario  # noqa: E402

QUICKSTART = REPO / "scenarios" / "quickstart.toml"
SMALL = {"workload.jobs": 300}


def play(env, choose, seed=0):
    obs, info = env.reset(seed=seed)
    steps, total, done = 0, 0.0, False
    while not done:
        obs, reward, done, truncated, info = env.step(choose(obs, info))
        assert not truncated and env.observation_space.contains(obs)
        total, steps = total + reward, steps + 1
    return steps, total


def first_allowed(obs, info):
    return int(np.flatnonzero(info["action_mask"])[0])


def test_check_env_passes():
    check_env(ClusterEnv(QUICKSTART, overrides=SMALL, window=16), skip_render_check=True)
    check_env(ClusterEnv(QUICKSTART, overrides=SMALL, window=16, backfill=True), skip_render_check=True)


def test_spaces_and_masks():
    env = ClusterEnv(QUICKSTART, overrides=SMALL, window=8)
    assert env.observation_space.shape == (8 * 7 + 4,)
    assert env.action_space.n == 8
    obs, info = env.reset(seed=1)
    mask = info["action_mask"]
    assert mask.dtype == bool and mask.shape == (8,) and mask.any()
    slots = obs[: 8 * 7].reshape(8, 7)
    assert (slots[mask, 5] == 1).all() and (slots[mask, 6] == 1).all()  # allowed slots fit and hold a job
    assert (slots[~slots[:, 6].astype(bool)] == 0).all()  # empty slots are zeros


def test_always_the_first_slot_is_fcfs_without_head_blocking(kth_cut):
    """Choosing the oldest job that fits each time: every job starts, and the return is minus the
    sum of the bounded slowdowns of jobs.csv."""
    env = ClusterEnv(kth_scenario(kth_cut), window=128)
    steps, total = play(env, first_allowed)
    s = env.stats()
    assert steps == s["started"] == 3000
    assert total == pytest.approx(-s["bsld_mean"] * 3000)


def test_fcfs_with_window_one_is_the_built_in_fifo(kth_cut):
    """With a window of one job the agent can only start the head when it fits: FIFO exactly."""
    env = ClusterEnv(kth_scenario(kth_cut), window=1)
    steps, total = play(env, lambda obs, info: 0)
    fifo = clustersim.run(kth_scenario(kth_cut, "fifo"))
    assert steps == 3000
    assert -total / steps == pytest.approx(fifo.summary.iloc[0]["bsld_mean"], rel=1e-9)


def test_backfill_with_window_one_is_easy(kth_cut):
    """Window one with backfilling: the head is reserved and later jobs are backfilled around it,
    which is EASY (its mean bounded slowdown, up to the same-instant detail of the built-in)."""
    env = ClusterEnv(kth_scenario(kth_cut), window=1, backfill=True)
    play(env, lambda obs, info: 0)
    easy = clustersim.run(kth_scenario(kth_cut, "easy_backfill")).summary.iloc[0]["bsld_mean"]
    fifo = clustersim.run(kth_scenario(kth_cut, "fifo")).summary.iloc[0]["bsld_mean"]
    got = env.stats()["bsld_mean"]
    assert abs(got - easy) < 0.05 * easy < fifo


def test_episodes_are_deterministic_and_seeded():
    env = ClusterEnv(QUICKSTART, overrides=SMALL, window=16)
    rng = lambda: np.random.default_rng(5)  # noqa: E731

    def random_agent(r):
        return lambda obs, info: int(r.choice(np.flatnonzero(info["action_mask"])))

    a = play(env, random_agent(rng()), seed=3)
    b = play(env, random_agent(rng()), seed=3)
    c = play(env, random_agent(rng()), seed=4)
    assert a == b and a != c


def test_invalid_actions_and_episode_reward():
    env = ClusterEnv(QUICKSTART, overrides=SMALL, window=16, reward="episode_bsld")
    obs, info = env.reset(seed=0)
    bad = int(np.flatnonzero(~info["action_mask"])[0]) if not info["action_mask"].all() else None
    if bad is not None:
        _, reward, _, _, info2 = env.step(bad)
        assert info2["invalid"] and reward == 0.0
    rewards = []
    done = False
    while not done:
        _, reward, done, _, info = env.step(first_allowed(None, info))
        rewards.append(reward)
    assert all(r == 0.0 for r in rewards[:-1]) and rewards[-1] == pytest.approx(-env.stats()["bsld_mean"])
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)


def test_a_trace_path(kth_cut):
    env = ClusterEnv(trace=kth_cut, overrides={"workload.first_jobs": 200}, window=4)
    steps, _ = play(env, first_allowed)
    assert steps == 200


def test_registered_with_gymnasium(kth_cut):
    env = gymnasium.make("clustersim/PickJob-v0", trace=kth_cut, overrides={"workload.first_jobs": 100}, window=8)
    obs, info = env.reset(seed=0)
    assert obs.shape == (8 * 7 + 4,)
    steps = 0
    done = False
    while not done:
        obs, reward, done, truncated, info = env.step(first_allowed(obs, info))
        steps += 1
    assert steps == 100


def test_episodes_of_a_few_jobs_from_a_seeded_start(kth_cut):
    env = ClusterEnv(trace=kth_cut, window=16, episode_jobs=256)
    firsts = []
    for seed in [1, 2, 1]:
        steps, _ = play(env, first_allowed, seed=seed)
        assert steps == env.stats()["started"] == 256
        firsts.append(env.stats()["first_job"])
    assert firsts[0] == firsts[2] != firsts[1]
    assert 1 <= firsts[1] <= 3000 - 256 + 1
