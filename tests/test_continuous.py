"""Continuous actions through the Python layers (envs/env.h: ACTION_CONTINUOUS): the
spec, VecEnv's checks (out of range, NaN, wrong shape or dtype: a clear error, nothing
stepped), C's clamping when the checks are bypassed, the gymnasium Box, the baseline
buffer, and PPO's Gaussian policy. Every continuous env is tested; none is named."""
import os

import numpy as np
import pytest
import torch

import envs
from envs.gym import GymEnv

CONTINUOUS = [n for n in envs.list() if envs.spec(n)["action_kind"] == "continuous"]
pytestmark = pytest.mark.skipif(not CONTINUOUS, reason="no continuous env")


def bounds(spec):
    return (np.asarray(spec["action_low"], np.float32),
            np.asarray(spec["action_high"], np.float32))


@pytest.mark.parametrize("name", CONTINUOUS)
def test_action_buffer_is_float32_per_dimension(name):
    with envs.make(name, num_envs=3) as env:
        dim = env.spec["action_dim"]
        assert env.actions.shape == (env.num_agents, dim)
        assert env.actions.dtype == np.float32
        low, high = bounds(env.spec)
        assert env.single_action_space.shape == (dim,)
        np.testing.assert_array_equal(env.single_action_space.low, low)
        np.testing.assert_array_equal(env.single_action_space.high, high)


@pytest.mark.parametrize("name", CONTINUOUS)
@pytest.mark.parametrize("value, problem", [(np.nan, "not finite"), (np.inf, "not finite"),
                                            (-np.inf, "not finite"), (1e3, "out of range"),
                                            (-1e3, "out of range")])
def test_python_rejects_bad_values_and_steps_nothing(name, value, problem):
    with envs.make(name, num_envs=2, seed=0) as env:
        before = env.observations.copy()
        for dim, label in enumerate(env.spec["action_names"]):
            actions = env.idle_actions()
            actions[1, dim] = value
            with pytest.raises(ValueError, match=f"agent 1's action {label}=.* {problem}"):
                env.step(actions)
        np.testing.assert_array_equal(env.observations, before)


@pytest.mark.parametrize("name", CONTINUOUS)
def test_python_rejects_bad_shapes_and_dtypes(name):
    with envs.make(name, num_envs=2, seed=0) as env:
        n, dim = env.actions.shape
        with pytest.raises(ValueError, match="shape"):
            env.step(np.zeros(n, np.float32))
        with pytest.raises(ValueError, match="shape"):
            env.step(np.zeros((n, dim + 1), np.float32))
        with pytest.raises(TypeError, match="floats"):
            env.step(np.full((n, dim), "0"))
        with pytest.raises(ValueError, match="actions buffer must hold"):
            env._c.vec_step(env._handle, np.zeros((n, dim), np.float64))
        env.step(env.idle_actions().astype(np.float64))  # any float dtype in bounds is fine


def run(name, actions, steps=60, seed=3):
    """Observations and rewards of `steps` steps with fixed actions written straight into
    the buffer (no Python checks: what C makes of them)."""
    with envs.make(name, num_envs=1, seed=seed) as env:
        obs, rewards = [], []
        for _ in range(steps):
            env.actions[...] = actions
            env.step_unchecked()
            obs.append(env.observations.copy())
            rewards.append(env.rewards.copy())
        return np.array(obs), np.array(rewards)


@pytest.mark.parametrize("name", CONTINUOUS)
def test_c_clamps_out_of_range_and_reads_nan_as_zero(name):
    low, high = bounds(envs.spec(name))
    for far, edge in ((high + 5.0, high), (low - 5.0, low), (np.full_like(high, np.inf), high),
                      (np.full_like(low, -np.inf), low)):
        clamped = run(name, edge)
        outside = run(name, far)
        np.testing.assert_array_equal(outside[0], clamped[0])
        np.testing.assert_array_equal(outside[1], clamped[1])
    zero = np.clip(np.zeros_like(low), low, high)
    for obs, ref in zip(run(name, np.full_like(low, np.nan)), run(name, zero)):
        np.testing.assert_array_equal(obs, ref)
    # and the actions matter at all: full and idle differ
    assert not np.array_equal(run(name, high)[0], run(name, zero)[0])


@pytest.mark.parametrize("name", CONTINUOUS)
def test_baseline_fills_float_actions_in_bounds(name):
    with envs.make(name, num_envs=4, seed=1) as env:
        low, high = bounds(env.spec)
        out = env.baseline_actions()
        assert out.shape == env.actions.shape and out.dtype == np.float32
        assert np.all((out >= low) & (out <= high))
        with pytest.raises(ValueError, match="baseline actions buffer must hold"):
            env.baseline_actions(out=np.empty(env.num_agents, np.int32))
        env.step(out)


@pytest.mark.parametrize("name", CONTINUOUS)
def test_gym_box_actions(name):
    env = GymEnv(name)
    env.reset(seed=0)
    assert env.action_space.dtype == np.float32
    env.step(env.action_space.sample())
    env.step(env.action_space.sample().astype(np.float64))
    with pytest.raises(ValueError, match="invalid action"):
        env.step(0)
    with pytest.raises(ValueError, match="not finite"):
        env.step(np.full(env.action_space.shape, np.nan, np.float32))
    env.close()


@pytest.mark.parametrize("name", CONTINUOUS)
def test_gaussian_policy_and_ppo_sampling(name):
    from train.evaluate import torch_act
    from train.policy import make_policy
    from train.ppo import log_prob, log_prob_entropy, sample

    spec = envs.spec(name)
    policy = make_policy(spec, {"hidden": 16, "layers": 1})
    obs = torch.zeros((5, spec["obs_size"]))
    mean, log_std, value = policy(obs)
    dim = spec["action_dim"]
    assert mean.shape == log_std.shape == (5, dim) and value.shape == (5,)
    torch.manual_seed(0)
    out, _, _ = policy.step(obs, (), torch.zeros(5))
    actions = sample(out)
    normal = torch.distributions.Normal(out[0], out[1].exp())
    torch.testing.assert_close(log_prob(out, actions), normal.log_prob(actions).sum(1))
    lp, entropy = log_prob_entropy(out, actions)
    torch.testing.assert_close(entropy, normal.entropy().sum(1))
    # deterministic play: the means, clipped into the bounds
    with torch.no_grad():
        policy.actor.bias.copy_(torch.tensor([5.0] * dim))
    low, high = bounds(spec)
    acts = torch_act(policy)(np.zeros((3, spec["obs_size"]), np.float32))
    np.testing.assert_array_equal(acts, np.broadcast_to(high, (3, dim)))
    with pytest.raises(ValueError, match="LSTM"):
        make_policy(spec, {"lstm": 8})


@pytest.mark.parametrize("name", CONTINUOUS)
def test_gaussian_ppo_trains_resumes_and_exports(name, tmp_path):
    """The whole continuous path in small: PPO with the Gaussian policy over an env_mix of
    two param groups, its checkpoint resumed, then exported and checked against torch."""
    from export.model import load_model
    from export.onnx_export import export
    from train.config import load_config
    from train.ppo import train

    cfg = load_config(name)
    cfg["total_steps"] = 2 * 16 * 32
    cfg["ppo"].update(num_steps=16, num_minibatches=2, update_epochs=1)
    param = envs.spec(name)["params"][0]
    cfg["env_mix"] = [{"num_envs": 16, "env_params": {}},
                      {"num_envs": 16, "env_params": {param["name"]: param["min"]}}]
    cfg["eval"].update(episodes=4, interval_s=1e9)
    out = str(tmp_path / "run")
    first = train(cfg, out, stream=open(os.devnull, "w"))
    assert first["global_step"] == cfg["total_steps"]
    cfg["total_steps"] *= 2
    again = train(cfg, out, resume=True, stream=open(os.devnull, "w"))
    assert again["global_step"] == cfg["total_steps"]
    meta = export(name, checkpoint=os.path.join(out, "checkpoint.pt"), out_dir=str(tmp_path),
                  episodes=4, log=lambda text: None)
    assert meta["verification"]["max_abs_diff_mean"] <= 1e-5
    assert meta["eval"]["episodes"] == 4
    model = load_model(str(tmp_path / f"{name}.onnx"), envs.spec(name))
    with envs.make(name, num_envs=2) as env:
        acts = model.act(env.observations)
        env.step(acts)  # the model's actions pass Python's checks
