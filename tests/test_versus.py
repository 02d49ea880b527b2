"""Generic checks of versus play and turn taking (envs/env.h) for every env in envs.list()."""
import numpy as np
import pytest

import envs

ALL = envs.list()
VERSUS = [n for n in ALL if envs.spec(n)["versus_sides"]]
TURN_BASED = [n for n in ALL if envs.spec(n)["turn_based"]]


@pytest.mark.parametrize("name", ALL)
def test_versus_fields_are_consistent(name):
    spec = envs.spec(name)
    sides = spec["versus_sides"]
    assert sides == 0 or sides >= 2
    if sides == 0:
        assert spec["versus_param"] is None and spec["side_names"] is None
    else:
        names = [p["name"] for p in spec["params"]]
        assert spec["versus_param"] in names
        param = spec["params"][names.index(spec["versus_param"])]
        assert param["min"] <= 1 <= param["max"]
        assert len(spec["side_names"]) == sides and all(spec["side_names"])
    if spec["turn_based"]:
        start = spec["action_mask_obs"]
        assert 0 <= start and start + spec["num_actions"] <= spec["obs_size"]
    else:
        assert spec["action_mask_obs"] is None


def versus_env(name, seed, num_envs=4, **params):
    spec = envs.spec(name)
    return envs.make(name, num_envs=num_envs, seed=seed, **{spec["versus_param"]: 1},
                     **params)


def legal_random(env, rng):
    """Random actions; turn-based envs: a legal one for agents that have one."""
    actions = rng.integers(0, env.num_actions, env.num_agents, dtype=np.int32)
    if env.spec["turn_based"]:
        start = env.spec["action_mask_obs"]
        legal = env.observations[:, start:start + env.num_actions] != 0
        pick = np.argmax(rng.random(legal.shape) * legal, axis=1).astype(np.int32)
        actions = np.where(legal.any(axis=1), pick, actions).astype(np.int32)
    return actions


@pytest.mark.parametrize("name", VERSUS)
def test_versus_mode_has_one_agent_per_side(name):
    env = versus_env(name, seed=0, num_envs=3)
    assert env.agents_per_env == env.spec["versus_sides"]
    rng = np.random.default_rng(0)
    low, high = env.spec["obs_low"], env.spec["obs_high"]
    for _ in range(3000):
        env.step(legal_random(env, rng))
        assert env.observations.min() >= low and env.observations.max() <= high
        # Every side ends its episode on the same step.
        done = (env.terminals | env.truncations).reshape(env.num_envs, -1)
        assert (done.all(axis=1) == done.any(axis=1)).all()
    env.close()


@pytest.mark.parametrize("name", VERSUS)
def test_versus_mode_is_deterministic(name):
    def run():
        env = versus_env(name, seed=9)
        rng = np.random.default_rng(4)
        out = []
        for _ in range(1500):
            env.step(legal_random(env, rng))
            out.append(env.observations.tobytes() + env.rewards.tobytes())
        return out
    assert run() == run()


@pytest.mark.parametrize("name", TURN_BASED)
def test_only_the_agent_to_move_matters(name):
    """An agent whose mask is all zero is not to move: its action changes nothing."""
    spec = envs.spec(name)
    params = {spec["versus_param"]: 1} if spec["versus_sides"] else {}
    start, n = spec["action_mask_obs"], spec["num_actions"]
    a = envs.make(name, num_envs=4, seed=2, **params)
    b = envs.make(name, num_envs=4, seed=2, **params)
    rng = np.random.default_rng(1)
    noise = np.random.default_rng(2)
    moved = 0
    for _ in range(2000):
        actions = legal_random(a, rng)
        idle = ~(a.observations[:, start:start + n] != 0).any(axis=1)
        other = actions.copy()
        other[idle] = noise.integers(0, n, idle.sum(), dtype=np.int32)
        moved += int((~idle).sum())
        a.step(actions)
        b.step(other)
        assert np.array_equal(a.observations, b.observations)
        assert np.array_equal(a.rewards, b.rewards)
    assert moved > 0
