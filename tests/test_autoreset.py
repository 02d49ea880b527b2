"""The autoreset=False contract of envs/env.h, checked for every env in envs.list().

Once an agent's episode ends (its terminal or truncation flag is set by a step), every
later step until reset() leaves that agent frozen: its observation stays the final one,
its reward is 0, its flags stay as they were set, and no episode is added to its log.
Other agents of the same env instance play on. reset() starts fresh episodes for all.
"""
import numpy as np
import pytest

import envs

ALL = envs.list()
MAX_STEPS = 60000   # random play ends every env's episodes long before this
EXTRA_STEPS = 300   # steps checked after every agent has finished


class Frozen:
    """What each finished agent looked like on the step its episode ended."""

    def __init__(self, env):
        n = env.num_agents
        self.done = np.zeros(n, dtype=bool)
        self.obs = np.zeros_like(env.observations)
        self.terminals = np.zeros(n, dtype=bool)
        self.truncations = np.zeros(n, dtype=bool)
        self.logs = np.zeros_like(env.agent_logs)

    def record(self, env, agents):
        self.done[agents] = True
        self.obs[agents] = env.observations[agents]
        self.terminals[agents] = env.terminals[agents]
        self.truncations[agents] = env.truncations[agents]
        self.logs[agents] = env.agent_logs[agents]

    def check(self, env, step):
        d = self.done
        where = f"{env.name}, step {step}, agents {np.flatnonzero(d)[:8]}"
        np.testing.assert_array_equal(env.observations[d], self.obs[d],
                                      err_msg=f"{where}: observation changed after the end")
        assert not env.rewards[d].any(), f"{where}: reward {env.rewards[d]} after the end"
        np.testing.assert_array_equal(env.terminals[d], self.terminals[d],
                                      err_msg=f"{where}: terminal flag changed")
        np.testing.assert_array_equal(env.truncations[d], self.truncations[d],
                                      err_msg=f"{where}: truncation flag changed")
        np.testing.assert_array_equal(env.agent_logs[d], self.logs[d],
                                      err_msg=f"{where}: episode logged after the end")


def check_in_bounds(env, step):
    spec = env.spec
    obs = env.observations
    assert obs.min() >= spec["obs_low"] and obs.max() <= spec["obs_high"], (
        f"{env.name}, step {step}: observation in [{obs.min()}, {obs.max()}], declared "
        f"[{spec['obs_low']}, {spec['obs_high']}]")


def play_to_the_end(env, rng):
    """Random play until every agent's episode has ended, then EXTRA_STEPS more, checking
    the contract on every step. Returns the number of steps."""
    frozen = Frozen(env)
    extra = 0
    for step in range(MAX_STEPS):
        env.step(env.random_actions(rng))
        frozen.check(env, step)
        check_in_bounds(env, step)
        ended = (env.terminals | env.truncations) & ~frozen.done
        if ended.any():
            assert (env.agent_logs[ended, 0] == 1).all(), (
                f"{env.name}: an agent's episode ended without exactly one log entry")
            frozen.record(env, ended)
        if frozen.done.all():
            extra += 1
            if extra > EXTRA_STEPS:
                return step
    pytest.fail(f"{env.name}: random play did not end every episode in {MAX_STEPS} steps")


@pytest.mark.parametrize("name", ALL)
def test_finished_agents_stay_frozen_until_reset(name):
    rng = np.random.default_rng(7)
    env = envs.make(name, num_envs=3, seed=11, autoreset=False)
    play_to_the_end(env, rng)
    stats = env.log()
    assert stats["n"] == env.num_agents, (
        f"{name}: {stats['n']} episodes logged for {env.num_agents} agents, one each")

    # reset() starts fresh episodes: flags clear, play resumes, and each agent can finish
    # again (with exactly one more episode each).
    env.reset(12)
    assert not env.terminals.any() and not env.truncations.any()
    before = env.observations.copy()
    play_to_the_end(env, rng)
    assert not np.array_equal(env.observations, before)
    assert env.log()["n"] == env.num_agents
    env.close()


@pytest.mark.parametrize("name", ALL)
def test_autoreset_keeps_playing(name):
    """The default (autoreset=True): a finished agent starts its next episode at once."""
    rng = np.random.default_rng(3)
    env = envs.make(name, num_envs=2, seed=5)
    episodes = 0
    for _ in range(MAX_STEPS):
        env.step(env.random_actions(rng))
        episodes += int((env.terminals | env.truncations).sum())
        if episodes > 2 * env.num_agents:
            break
    assert episodes > 2 * env.num_agents, f"{name}: fewer episodes than expected"
    env.close()
