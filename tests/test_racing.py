"""Racing's rules (envs/racing/racing.h): passes score +1/-1, the day's quota, the phases
of the day (snow grip, night and fog sight), collisions and curves."""
import numpy as np

import envs

SPEC = envs.spec("racing")
LABEL = {name: i for i, name in enumerate(SPEC["obs_labels"])}
ACTION = {name: i for i, name in enumerate(SPEC["action_names"])}
PHASES = ["daylight", "snow", "dusk", "night", "fog"]
CARS = LABEL["left_ahead_seen"]
K = (SPEC["obs_size"] - CARS) // 4


def phase(obs):
    return PHASES[int(np.argmax(obs[LABEL["daylight"]:LABEL["fog"] + 1]))]


def cars_seen(obs):
    """(dx, dz, dv) of the cars in the observation."""
    slots = obs[CARS:].reshape(K, 4)
    return slots[slots[:, 0] == 1.0][:, 1:]


def run(env, policy, steps):
    """Steps `policy(env)` up to `steps` times or until the episode ends; yields
    (obs before, action, reward, obs after)."""
    for _ in range(steps):
        before = env.observations[0].copy()
        action = policy(env)
        env.step(np.array([action], dtype=np.int32))
        yield before, action, float(env.rewards[0]), env.observations[0].copy()
        if env.terminals[0] or env.truncations[0]:
            return


def test_passing_is_plus_one_and_being_passed_minus_one():
    # Standing still, every car comes from behind and passes: only -1s.
    env = envs.make("racing", seed=1, autoreset=False)
    rewards = [r for _, _, r, _ in run(env, lambda e: ACTION["BRAKE"], 3000)]
    assert rewards.count(-1.0) >= 20 and max(rewards) == 0.0
    # The scripted driver at full speed passes far more cars than pass it, and every
    # reward is one pass either way; the quota counts the net passes.
    env = envs.make("racing", seed=2, autoreset=False)
    total, left0 = 0.0, None
    for before, _, r, after in run(env, lambda e: int(e.baseline_actions()[0]), 2000):
        assert r == int(r) and abs(r) <= 3  # one per car passed (two lanes at once: 2)
        total += r
        left0 = before[LABEL["cars_left"]] if left0 is None else left0
    assert total >= 30
    quota_scale = max(p["default"] for p in SPEC["params"] if p["name"].endswith("quota"))
    assert round((left0 - after[LABEL["cars_left"]]) * quota_scale) == total


def test_missing_the_quota_ends_the_game_at_the_end_of_the_day():
    env = envs.make("racing", seed=3, autoreset=False, day_steps=600)
    steps = list(run(env, lambda e: int(e.baseline_actions()[0]), 5000))
    assert len(steps) == 600 and env.terminals[0] and not env.truncations[0]
    log = env.log()
    assert log["n"] == 1 and log["perf"] == 0.0 and log["episode_length"] == 600
    assert log["score"] == sum(r for _, _, r, _ in steps)


def test_meeting_the_quota_starts_the_next_day_and_max_days_truncates():
    env = envs.make("racing", seed=4, autoreset=False, day_steps=600, quota=5,
                    later_quota=5, max_days=3)
    steps = list(run(env, lambda e: int(e.baseline_actions()[0]), 5000))
    assert len(steps) == 1800 and env.truncations[0] and not env.terminals[0]
    assert env.log()["perf"] == 1.0
    # A new day resets the clock and the quota.
    day_time = [after[LABEL["day_time"]] for _, _, _, after in steps]
    assert day_time[599] == 0.0 and day_time[1199] == 0.0
    assert steps[599][3][LABEL["cars_left"]] > 0.0


def test_day_one_met_but_day_two_missed_ends_with_perf_one():
    env = envs.make("racing", seed=5, autoreset=False, day_steps=600, quota=5,
                    later_quota=10000)
    steps = list(run(env, lambda e: int(e.baseline_actions()[0]), 5000))
    assert len(steps) == 1200 and env.terminals[0]
    assert env.log()["perf"] == 1.0


def test_night_and_fog_hide_far_cars():
    env = envs.make("racing", seed=6, autoreset=False)
    farthest = {p: 0.0 for p in PHASES}
    visibility = {p: set() for p in PHASES}
    for _, _, _, obs in run(env, lambda e: int(e.baseline_actions()[0]), 4500):
        p = phase(obs)
        visibility[p].add(float(obs[LABEL["visibility"]]))
        seen = cars_seen(obs)
        if len(seen):
            farthest[p] = max(farthest[p], float(seen[:, 1].max()))
    assert np.allclose(sorted(visibility["night"]), [0.45])
    assert np.allclose(sorted(visibility["fog"]), [0.22])
    assert visibility["daylight"] == {1.0}
    assert 0.0 < farthest["night"] <= 0.45 and 0.0 < farthest["fog"] <= 0.22
    assert farthest["daylight"] > 0.6


def test_snow_has_less_grip():
    first_step = {}
    env = envs.make("racing", seed=7, autoreset=False)
    for before, action, _, after in run(env, lambda e: int(e.baseline_actions()[0]), 4500):
        steer_from_rest = before[LABEL["lateral_velocity"]] == 0.0 and action in (
            ACTION["ACCEL_LEFT"], ACTION["ACCEL_RIGHT"])
        if steer_from_rest and phase(before) == phase(after):
            first_step.setdefault(phase(after), abs(float(after[LABEL["lateral_velocity"]])))
    assert first_step["daylight"] == 1.0
    assert 0.0 < first_step["snow"] < 0.2


def test_collision_slows_sharply():
    # Full throttle straight ahead in the middle lane: it hits cars.
    env = envs.make("racing", seed=8, autoreset=False)
    crashes = 0
    for before, _, _, after in run(env, lambda e: ACTION["ACCEL"], 3000):
        on_road = abs(after[LABEL["lateral_x"]]) * 2.0 < 1.5  # the grass slows it too
        if on_road and after[LABEL["speed"]] < before[LABEL["speed"]]:
            # On the gas, speed only drops in a collision: to 30% of the speed.
            ratio = after[LABEL["speed"]] / min(before[LABEL["speed"]] + 0.02 / 2.5, 1.0)
            assert abs(ratio - 0.3) < 1e-3
            crashes += 1
    assert crashes >= 3


def test_curves_push_the_car_outward():
    env = envs.make("racing", seed=9, autoreset=False)
    moved = {1: [], -1: []}
    for before, _, _, after in run(env, lambda e: ACTION["ACCEL"], 4000):
        curve = before[LABEL["curve_here"]]
        if curve != 0.0 and after[LABEL["curve_here"]] == curve and before[LABEL["speed"]] > 0.5 \
                and before[LABEL["lateral_velocity"]] == 0.0:
            dx = after[LABEL["lateral_x"]] - before[LABEL["lateral_x"]]
            if abs(after[LABEL["lateral_x"]]) < 1.0:
                moved[1 if curve > 0 else -1].append(dx)
    assert moved[1] and max(moved[1]) < 0.0  # a right bend pushes left
    assert moved[-1] and min(moved[-1]) > 0.0
