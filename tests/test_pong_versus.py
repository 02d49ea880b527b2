"""Pong's versus option (left paddle = agent 1, mirrored view) and opponent speed."""
import numpy as np

import envs


def test_left_agent_sees_the_court_mirrored():
    env = envs.make("pong", num_envs=2, seed=3, versus=1)
    rng = np.random.default_rng(0)
    for _ in range(3000):
        env.step(rng.integers(0, 3, env.num_agents, dtype=np.int32))
        right, left = env.observations[0::2], env.observations[1::2]
        assert np.array_equal(left[:, 0], -right[:, 0]) and np.array_equal(left[:, 2], -right[:, 2])
        assert np.array_equal(left[:, [1, 3]], right[:, [1, 3]])
        assert np.array_equal(left[:, [4, 5, 6, 7]], right[:, [5, 4, 7, 6]])
        assert np.array_equal(env.rewards[1::2], -env.rewards[0::2])


def test_left_agent_moves_the_left_paddle():
    env = envs.make("pong", seed=4, autoreset=False, versus=1)
    before = env.observations.copy()
    for _ in range(3):
        env.step(np.array([0, 2], dtype=np.int32))   # right stays, left goes DOWN
    assert env.observations[0, 4] == before[0, 4]
    assert env.observations[1, 4] > before[1, 4] and env.observations[0, 5] > before[0, 5]


def test_baseline_plays_either_side():
    env = envs.make("pong", num_envs=8, seed=5, versus=1)
    for _ in range(30000):
        env.step(env.baseline_actions())
    logs = env.take_agent_logs(np.arange(16))
    assert logs["n"].sum() > 0
    # Mirror images: each game's margins are opposite, wins exclusive.
    done = logs["n"] > 0
    right, left = logs["score"][0::2], logs["score"][1::2]
    assert np.allclose(right[done[0::2]], -left[done[1::2]])


def test_faster_opponent_concedes_fewer_points():
    margins = {}
    for speed in (50, 100):
        env = envs.make("pong", num_envs=32, seed=6, opponent_speed=speed, points_to_win=5,
                         max_steps=3000)
        for _ in range(20000):
            env.step(env.baseline_actions())
        margins[speed] = env.log()["score"]
    assert margins[100] < margins[50], margins


def test_shipped_policy_plays_the_left_paddle_through_the_mirror():
    """The right-paddle model, fed agent 1's mirrored view, wins on the left side too
    (against the scripted player moving at the agent's speed)."""
    from export.model import default_model_path, load_model
    model = load_model(default_model_path("pong"), envs.spec("pong"))
    env = envs.make("pong", num_envs=10, seed=200, versus=1, autoreset=False, points_to_win=5)
    done = np.zeros(10, dtype=bool)
    wins = 0
    recurrent = getattr(model.act, "recurrent", False)   # then act(obs, agents, starts)
    for step in range(27000):
        actions = env.baseline_actions()
        if recurrent:
            actions[1::2] = model.act(env.observations[1::2], np.arange(10),
                                      np.full(10, step == 0))
        else:
            actions[1::2] = model.act(env.observations[1::2])
        env.step(actions)
        ended = (env.terminals | env.truncations)[1::2] & ~done
        if ended.any():
            logs = env.take_agent_logs(2 * np.flatnonzero(ended) + 1)
            wins += int(logs["perf"].sum())
            done |= ended
        if done.all():
            break
    assert done.all() and wins >= 9, wins
