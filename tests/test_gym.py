import pytest
from gymnasium.utils.env_checker import check_env

import envs
from envs.gym import GymEnv

SINGLE = [n for n in envs.list() if envs.make(n).num_agents == 1]


@pytest.mark.parametrize("name", SINGLE)
def test_check_env(name):
    env = GymEnv(name)
    check_env(env, skip_render_check=True)
    env.close()


@pytest.mark.parametrize("name", SINGLE)
def test_episode_ends_and_needs_reset(name):
    limit = [p["min"] for p in envs.spec(name)["params"] if p["name"] == "max_steps"]
    env = GymEnv(name, max_steps=limit[0]) if limit else GymEnv(name)
    obs, _ = env.reset(seed=1)
    steps = 0
    while True:
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        steps += 1
        if terminated or truncated:
            break
    assert "episode_return" in info
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    env.close()
