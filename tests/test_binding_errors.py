"""Bad input gives a clear exception naming the problem, never a crash."""
import numpy as np
import pytest

import envs

ALL = envs.list()
DISCRETE = [n for n in ALL if envs.spec(n)["action_kind"] == "discrete"]


def test_unknown_env():
    with pytest.raises(ValueError, match="unknown env 'nope'"):
        envs.make("nope")
    with pytest.raises(ValueError, match="unknown env"):
        envs.make("../envs")
    with pytest.raises(ValueError, match="unknown env"):
        envs.make(3)


@pytest.mark.parametrize("name", ALL)
def test_unknown_param(name):
    with pytest.raises(ValueError, match="has no param 'bogus'"):
        envs.make(name, bogus=1)


@pytest.mark.parametrize("name", ALL)
def test_param_out_of_range_and_type(name):
    p = envs.spec(name)["params"][0]
    with pytest.raises(ValueError, match=p["name"]):
        envs.make(name, **{p["name"]: p["max"] + 1})
    with pytest.raises(ValueError, match=p["name"]):
        envs.make(name, **{p["name"]: p["min"] - 1})
    with pytest.raises(TypeError, match=p["name"]):
        envs.make(name, **{p["name"]: 1.5})


@pytest.mark.parametrize("bad", [0, -1])
def test_num_envs_must_be_positive(bad):
    with pytest.raises(ValueError, match="num_envs must be >= 1"):
        envs.make(ALL[0], num_envs=bad)


def test_num_envs_type():
    with pytest.raises(TypeError, match="num_envs must be an int"):
        envs.make(ALL[0], num_envs="4")
    with pytest.raises(TypeError, match="num_envs must be an int"):
        envs.make(ALL[0], num_envs=2.0)


def test_seed_errors():
    env = envs.make(ALL[0])
    with pytest.raises(ValueError, match="seed must be >= 0"):
        env.reset(-1)
    with pytest.raises(ValueError, match="seed must be < 2\\*\\*64"):
        env.reset(2**64)
    with pytest.raises(TypeError, match="seed must be an int"):
        env.reset("1")
    env.close()


@pytest.mark.parametrize("name", DISCRETE)  # continuous: tests/test_continuous.py
def test_bad_actions(name):
    env = envs.make(name, num_envs=2, seed=0)
    n = env.num_agents
    before = env.observations.copy()
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros(n + 1, dtype=np.int32))
    with pytest.raises(ValueError, match="shape"):
        env.step(np.zeros((n, 1), dtype=np.int32))
    with pytest.raises(TypeError, match="integers"):
        env.step(np.zeros(n, dtype=np.float32))
    bad = np.zeros(n, dtype=np.int32)
    bad[-1] = env.num_actions
    with pytest.raises(ValueError, match="out of range"):
        env.step(bad)
    bad[-1] = -1
    with pytest.raises(ValueError, match="out of range"):
        env.step(bad)
    # nothing was stepped by the rejected calls
    assert np.array_equal(env.observations, before)
    env.step(np.zeros(n, dtype=np.int64))  # any integer dtype is fine
    env.close()


def test_closed_env():
    env = envs.make(ALL[0])
    env.close()
    env.close()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        env.step(np.zeros(env.num_agents, dtype=np.int32))
    with pytest.raises(RuntimeError, match="closed"):
        env.reset(0)
    with pytest.raises(RuntimeError, match="closed"):
        env.log()


def test_raw_binding_rejects_bad_buffers():
    c = envs.module(ALL[0])
    spec = c.spec()
    params = tuple(p["default"] for p in spec["params"])
    n = 2 * c.num_agents(params)  # two envs: a reversed view is not contiguous
    dtype = np.uint8 if spec["obs_dtype"] == "uint8" else np.float32
    obs = np.zeros((n, spec["obs_size"]), dtype)
    ok = [obs, np.zeros(n, np.int32), np.zeros(n, np.float32), np.zeros(n, np.uint8),
          np.zeros(n, np.uint8), np.zeros((n, 5), np.float32)]
    with pytest.raises(ValueError, match="observations buffer"):
        c.vec_init(np.zeros((n, spec["obs_size"] + 1), dtype), *ok[1:], 2, params, True)
    with pytest.raises(ValueError, match="actions buffer"):
        c.vec_init(ok[0], np.zeros(n, np.int64), *ok[2:], 2, params, True)
    with pytest.raises(ValueError):
        c.vec_init(ok[0], np.zeros(n, np.int32)[::-1], *ok[2:], 2, params, True)
    with pytest.raises(ValueError, match="logs buffer"):
        c.vec_init(*ok[:5], np.zeros((n, 4), np.float32), 2, params, True)
    with pytest.raises(ValueError, match="tuple of"):
        c.vec_init(*ok, 2, params + (1,), True)
    with pytest.raises(TypeError):
        c.vec_init(*ok, 2, params, True, "extra")
    readonly = np.zeros(n, np.float32)
    readonly.flags.writeable = False
    with pytest.raises((ValueError, BufferError)):
        c.vec_init(ok[0], ok[1], readonly, *ok[3:], 2, params, True)


def test_gym_rejects_multi_agent_and_bad_action():
    from envs.gym import GymEnv
    multi = [n for n in ALL if envs.make(n).num_agents > 1]
    for name in multi:
        with pytest.raises(ValueError, match="single-agent"):
            GymEnv(name)
    single = [n for n in ALL if envs.make(n).num_agents == 1]
    env = GymEnv(single[0])
    env.reset(seed=0)
    with pytest.raises(ValueError, match="invalid action"):
        env.step(99)
    env.close()


@pytest.mark.parametrize("name", ALL)
def test_reset_without_seed_wraps_at_the_top_of_the_seed_range(name):
    env = envs.make(name, num_envs=4)
    env.reset(2**64 - 1)
    env.reset()  # next seed is (2**64 - 1 + 4) mod 2**64 = 3
    first = env.observations.copy()
    env.reset(3)
    np.testing.assert_array_equal(env.observations, first)
    env.close()


@pytest.mark.parametrize("dtype", [np.float32, np.uint32, np.int64])
def test_baseline_out_buffer_must_be_int32(dtype):
    env = envs.make(ALL[0], num_envs=3)
    with pytest.raises(ValueError, match="baseline actions buffer must hold 3 signed int"):
        env.baseline_actions(out=np.empty(env.num_agents, dtype))
    env.close()


@pytest.mark.parametrize("bad", ["no", 0, 1, None, "False"])
def test_autoreset_accepts_only_bools(bad):
    with pytest.raises(TypeError, match="autoreset must be True or False"):
        envs.make(ALL[0], autoreset=bad)
    envs.make(ALL[0], autoreset=np.bool_(False)).close()
