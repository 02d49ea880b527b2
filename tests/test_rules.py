"""Env-specific rules: episodes end as each game says, rewards are the game's points."""
import numpy as np

import envs


def play_until_done(env, policy, limit):
    for t in range(limit):
        env.step(policy(env))
        if env.terminals[0] or env.truncations[0]:
            return t + 1
    raise AssertionError("episode did not end")


def random_policy(seed):
    rng = np.random.default_rng(seed)
    return lambda env: env.random_actions(rng)


def test_pong_game_ends_at_points_to_win():
    for seed in range(5):
        env = envs.make("pong", seed=seed, autoreset=False, points_to_win=3)
        play_until_done(env, random_policy(seed), 100000)
        assert env.terminals[0] and not env.truncations[0]
        own, opp = env.observations[0, 6] * 3, env.observations[0, 7] * 3
        assert max(own, opp) == 3 and min(own, opp) < 3
        log = env.log()
        assert log["n"] == 1 and log["score"] == own - opp
        assert log["perf"] == (1.0 if own == 3 else 0.0)


def test_pong_rewards_are_points():
    env = envs.make("pong", seed=1, autoreset=False)
    total = {1.0: 0, -1.0: 0}
    policy = lambda e: e.baseline_actions()
    for _ in range(200000):
        env.step(policy(env))
        r = float(env.rewards[0])
        if r:
            total[r] += 1
            own, opp = env.observations[0, 6] * 21, env.observations[0, 7] * 21
            assert (round(own), round(opp)) == (total[1.0], total[-1.0])
        if env.terminals[0] or env.truncations[0]:
            break
    assert total[1.0] + total[-1.0] > 0


def test_pong_truncates_at_max_steps():
    env = envs.make("pong", seed=0, autoreset=False, max_steps=100)
    steps = play_until_done(env, lambda e: e.baseline_actions(), 1000)
    assert steps == 100 and env.truncations[0] and not env.terminals[0]
    assert env.log()["episode_length"] == 100


BRICK_POINTS = np.repeat([7, 7, 4, 4, 1, 1], 18).astype(np.float32)


def test_breakout_rewards_are_row_points_and_five_balls_end_it():
    for seed in range(3):
        env = envs.make("breakout", seed=seed, autoreset=False)
        labels = env.spec["obs_labels"]
        first_brick = labels.index("brick_0_0")
        balls = labels.index("balls_left")
        assert env.observations[0, balls] == 1.0
        bricks = env.observations[0, first_brick:].copy()
        assert bricks.sum() == 108
        policy = random_policy(seed) if seed else (lambda e: e.baseline_actions())
        score, lost = 0.0, 0
        for _ in range(100000):
            ball_count = env.observations[0, balls]
            env.step(policy(env))
            now = env.observations[0, first_brick:]
            gone = bricks - now
            assert set(np.unique(gone)) <= {0.0, 1.0}, "bricks never come back mid-episode"
            assert env.rewards[0] == float(gone @ BRICK_POINTS)
            score += float(env.rewards[0])
            bricks = now.copy()
            if env.observations[0, balls] < ball_count:
                lost += 1
            if env.terminals[0] or env.truncations[0]:
                break
        assert env.terminals[0]
        assert env.observations[0, balls] == 0.0 and lost == 5
        log = env.log()
        assert log["score"] == score and abs(log["perf"] - score / 432) < 1e-6
        assert env.spec["max_score"] == 432


def test_snake_death_is_terminal_and_score_is_length():
    env = envs.make("snake", num_envs=2, seed=4)
    eaten = np.zeros(env.num_agents, dtype=np.int64)
    lengths, deaths = [], 0
    for t in range(3000):
        env.step(env.baseline_actions())
        r = env.rewards
        assert set(np.unique(r)) <= {-1.0, 0.0, 1.0}
        dead = env.terminals
        assert (r[dead] == -1.0).all(), "a death costs exactly 1"
        eaten += r == 1.0
        done = dead | env.truncations
        deaths += int(dead.sum())
        if t < 1500 and done.any():
            # each agent's own episode, exact even when several end on one step
            own = env.take_agent_logs(np.flatnonzero(done))
            assert (own["n"] == 1).all()
            assert np.array_equal(own["score"], (3 + eaten[done]).astype(np.float32))
        elif done.any():
            lengths.extend(3 + eaten[done])
        eaten[done] = 0
        if t >= 1500 and t % 50 == 49 and lengths:
            log = env.log()  # the mean over every agent's ended episodes
            assert log["n"] == len(lengths)
            assert abs(log["score"] - np.mean(lengths)) < 1e-3
            lengths = []
    assert deaths > 50
    # a respawned snake sees its own head at the centre of its 11x11 window
    head = env.observations.reshape(-1, 11, 11)[:, 5, 5]
    assert (head == 4).mean() > 0.9


def test_snake_rejects_impossible_grid():
    import pytest
    with pytest.raises(ValueError, match="env_init failed"):
        envs.make("snake", num_snakes=1024, width=8, height=8)
