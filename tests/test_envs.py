"""Generic checks that every env in envs.list() must pass."""
import numpy as np
import pytest

import envs
from envs.vector import feature_bounds

ALL = envs.list()


def rollout(name, seed, steps, action_seed, num_envs=2):
    env = envs.make(name, num_envs=num_envs, seed=seed)
    rng = np.random.default_rng(action_seed)
    frames = [env.observations.tobytes()]
    for _ in range(steps):
        env.step(env.random_actions(rng))
        frames.append(b"".join(a.tobytes() for a in (env.observations, env.rewards,
                                                     env.terminals, env.truncations)))
    env.close()
    return frames


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_actions_same_trajectory(name):
    a = rollout(name, seed=7, steps=3000, action_seed=1)
    b = rollout(name, seed=7, steps=3000, action_seed=1)
    for t, (x, y) in enumerate(zip(a, b)):
        assert x == y, f"{name}: trajectories differ at step {t}"


@pytest.mark.parametrize("name", ALL)
def test_different_seeds_differ(name):
    a = rollout(name, seed=1, steps=300, action_seed=1)
    b = rollout(name, seed=2, steps=300, action_seed=1)
    assert any(x != y for x, y in zip(a, b))


@pytest.mark.parametrize("name", ALL)
def test_reset_semantics(name):
    env = envs.make(name, num_envs=3, seed=5)
    first = env.observations.copy()
    rng = np.random.default_rng(0)
    for _ in range(200):
        env.step(env.random_actions(rng))
    env.reset(5)
    assert np.array_equal(env.observations, first), "reset(seed) must restore the start"
    env.reset()
    other = env.observations.copy()
    env.reset()
    assert not np.array_equal(env.observations, other), "reset() must move to a new seed"
    # env i of a vector is seeded seed + i: a single env with seed 6 matches env 1.
    single = envs.make(name, num_envs=1, seed=6)
    env.reset(5)
    per_env = env.agents_per_env
    assert np.array_equal(single.observations, env.observations[per_env:2 * per_env])
    # rewards/flags are cleared by reset
    assert not env.terminals.any() and not env.truncations.any()
    assert not env.rewards.any()
    env.close()
    single.close()


@pytest.mark.parametrize("name", ALL)
def test_observations_in_bounds(name):
    env = envs.make(name, num_envs=8, seed=3)
    low, high = env.spec["obs_low"], env.spec["obs_high"]
    group_low, group_high = feature_bounds(env.spec)
    rng = np.random.default_rng(3)
    for t in range(5000):
        if t % 2:
            env.step(env.baseline_actions())
        else:
            env.step(env.random_actions(rng))
        obs = env.observations
        assert obs.min() >= low and obs.max() <= high, f"step {t}"
        assert np.isfinite(obs.astype(np.float64)).all()
        for group in env.spec["obs_groups"]:
            values = obs[:, group["start"]:group["start"] + group["count"]]
            assert values.min() >= group["low"] and values.max() <= group["high"], (
                f"step {t}: group {group['name']} outside [{group['low']}, {group['high']}]")
    assert (group_low >= low).all() and (group_high <= high).all()
    assert env.observations.dtype == env.single_observation_space.dtype
    assert env.single_observation_space.contains(env.observations[0])
    env.close()


@pytest.mark.parametrize("name", ALL)
def test_episode_rewards_sum_to_logged_return(name):
    env = envs.make(name, num_envs=4, seed=11)
    returns = np.zeros(env.num_agents, dtype=np.float64)
    lengths = np.zeros(env.num_agents, dtype=np.int64)
    finished_returns, finished_lengths, checked = [], [], 0
    rng = np.random.default_rng(11)
    for t in range(60000):
        actions = env.baseline_actions() if t % 3 else env.random_actions(rng)
        env.step(actions)
        returns += env.rewards
        lengths += 1
        done = env.terminals | env.truncations
        if done.any():
            finished_returns.extend(returns[done])
            finished_lengths.extend(lengths[done])
            returns[done] = 0
            lengths[done] = 0
            log = env.log()
            assert log["n"] == len(finished_returns)
            assert log["episode_return"] == pytest.approx(np.mean(finished_returns), abs=1e-3)
            assert log["episode_length"] == pytest.approx(np.mean(finished_lengths), abs=1e-2)
            finished_returns, finished_lengths = [], []
            checked += 1
            if checked >= 20:
                break
    assert checked >= 5, f"{name}: too few episodes ended to check"
    assert env.log() == {}, "log() clears what it returned"
    env.close()


@pytest.mark.parametrize("name", ALL)
def test_baseline_reaches_stated_score(name):
    # Warm up first: the earliest episodes to end are the short ones.
    env = envs.make(name, num_envs=max(1, 64 // envs.make(name).num_agents), seed=100)
    for _ in range(300):
        env.step(env.baseline_actions())
    env.log()
    episodes, score_sum = 0, 0.0
    for t in range(200000):
        env.step(env.baseline_actions())
        if t % 100 == 99:
            log = env.log()
            if log:
                episodes += log["n"]
                score_sum += log["score"] * log["n"]
            if episodes >= 200:
                break
    assert episodes >= 64, f"{name}: only {episodes} baseline episodes finished"
    assert score_sum / episodes >= env.spec["baseline_min_score"]
    env.close()


@pytest.mark.parametrize("name", ALL)
def test_spec_is_consistent(name):
    spec = envs.spec(name)
    assert spec["name"] == name
    assert spec["obs_size"] == spec["obs_height"] * spec["obs_width"]
    assert spec["action_kind"] in ("discrete", "continuous")
    if spec["action_kind"] == "discrete":
        assert spec["num_actions"] >= 1 and spec["action_dim"] == 1
        assert len(spec["action_names"]) == spec["num_actions"]
        assert spec["action_low"] is None and spec["action_high"] is None
    else:
        assert spec["num_actions"] == 0 and spec["action_dim"] >= 1
        assert len(spec["action_names"]) == spec["action_dim"]
        assert len(spec["action_low"]) == len(spec["action_high"]) == spec["action_dim"]
        assert all(lo < hi for lo, hi in zip(spec["action_low"], spec["action_high"]))
    if spec["obs_labels"] is not None:
        assert len(spec["obs_labels"]) == spec["obs_size"]
    assert spec["obs_dtype"] in ("float32", "uint8")
    for p in spec["params"]:
        assert p["min"] <= p["default"] <= p["max"]


@pytest.mark.parametrize("name", ALL)
def test_obs_groups_cover_the_observation(name):
    spec = envs.spec(name)
    groups = spec["obs_groups"]
    assert groups, f"{name}: obs_groups is empty"
    start = 0
    for g in groups:
        assert g["name"], f"{name}: a group has no name"
        assert g["start"] == start, f"{name}: group {g['name']} starts at {g['start']}, not {start}"
        assert g["count"] >= 1
        assert spec["obs_low"] <= g["low"] < g["high"] <= spec["obs_high"], g
        start += g["count"]
    assert start == spec["obs_size"], f"{name}: groups cover {start} of {spec['obs_size']}"


@pytest.mark.parametrize("name", ALL)
def test_conventions_are_consistent(name):
    spec = envs.spec(name)
    assert -1 <= spec["noop_action"] < spec["num_actions"]
    assert spec["baseline_min_score"] >= 0
    names = spec["obs_value_names"]
    if spec["obs_dtype"] == "uint8":
        assert names is not None, f"{name}: a grid needs obs_value_names"
        assert len(names) == int(spec["obs_high"] - spec["obs_low"]) + 1
        assert all(names) and len(set(names)) == len(names)
    else:
        assert names is None
    control = spec["control_obs"]
    if control is not None:
        assert spec["obs_labels"] is not None and control["label"] in spec["obs_labels"]
        actions = {control["decrease_action"], control["increase_action"],
                   spec["noop_action"]}
        assert len(actions) == 3 and all(0 <= a < spec["num_actions"] for a in actions)


@pytest.mark.parametrize("name", [n for n in ALL if envs.spec(n)["control_obs"]])
def test_control_actions_move_the_control_obs(name):
    spec = envs.spec(name)
    control = spec["control_obs"]
    index = spec["obs_labels"].index(control["label"])
    env = envs.make(name, num_envs=1, seed=4, autoreset=False)
    moved = {}
    for key in ("decrease_action", "increase_action"):
        env.reset(4)
        before = float(env.observations[0, index])
        for _ in range(3):
            env.step(np.array([control[key]] * env.num_agents, dtype=np.int32))
        moved[key] = float(env.observations[0, index]) - before
    env.close()
    assert moved["decrease_action"] < 0 < moved["increase_action"], moved
