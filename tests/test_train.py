"""Training pieces: configs, evaluation bookkeeping, and a short PPO smoke run on pong."""
import csv
import os

import numpy as np
import pytest

import envs
from train.config import DEFAULTS, available_configs, load_config, target_met
from train.evaluate import evaluate, run_episodes, torch_act


def test_every_env_has_a_config():
    for name in envs.list():
        assert name in available_configs()


@pytest.mark.parametrize("name", available_configs())
def test_configs_load_and_have_targets(name):
    cfg = load_config(name)
    assert cfg["env"] == name
    assert any(v is not None for v in cfg["target"].values())
    assert set(cfg["ppo"]) == set(DEFAULTS["ppo"])


def test_unknown_config_key_is_an_error(tmp_path):
    path = tmp_path / "pong.toml"
    path.write_text('env = "pong"\n[ppo]\nlearnin_rate = 0.1\n')
    with pytest.raises(ValueError, match="learnin_rate"):
        load_config("pong", str(path))


def test_target_each_params_evaluates_every_case_and_reports_the_worst(tmp_path):
    from train.evaluate import evaluate_target
    # The scripted baseline as the policy (act=None), pong against its slow opponent
    # (it wins by ~20 points) and against one faster than its own paddle (it loses).
    target = {"min_score": 10, "each_params": [{"opponent_speed": 50},
                                               {"opponent_speed": 150}]}
    result, met, reasons = evaluate_target("pong", None, target, 21.0, episodes=4, seed=3)
    assert [c["params"] for c in result["cases"]] == target["each_params"]
    slow, fast = (c["score_mean"] for c in result["cases"])
    assert slow >= 10 > fast and result["score_mean"] == fast
    assert not met and reasons and all(r.startswith("opponent_speed=150: ") for r in reasons)
    one, met_one, _ = evaluate_target("pong", None, {"min_score": 10,
                                                     "each_params": [{"opponent_speed": 50}]},
                                      21.0, episodes=4, seed=3)
    assert met_one and "cases" not in one
    path = tmp_path / "bad.toml"
    path.write_text('env = "pong"\n[target]\neach_params = [{ side = "left" }]\n')
    with pytest.raises(ValueError, match="each_params"):
        load_config("pong", str(path))


def test_target_met():
    result = {"score_mean": 16.0, "perf_mean": 0.99, "baseline_mean": 5.0}
    assert target_met(result, {"min_score": 15, "min_perf": 0.99})[0]
    met, reasons = target_met(result, {"min_perf": 1.0, "min_baseline_ratio": 4.0})
    assert not met and len(reasons) == 2
    assert not target_met(result, {"min_score_fraction": 0.8}, max_score=21.0)[0]


def test_evaluation_counts_exactly_and_is_deterministic():
    a = run_episodes("pong", None, episodes=5, seed=3, params={"points_to_win": 2})
    b = run_episodes("pong", None, episodes=5, seed=3, params={"points_to_win": 2})
    assert len(a["score"]) == 5 and not np.isnan(a["score"]).any()
    for key in a:
        assert np.array_equal(a[key], b[key])
    # Lane i is seeded seed + i: the first lanes of a longer run are the same episodes.
    c = run_episodes("pong", None, episodes=7, seed=3, params={"points_to_win": 2})
    assert np.array_equal(c["score"][:5], a["score"])


def test_smoke_training_beats_random(tmp_path):
    """~1.3M steps of PPO on pong (well under a minute on 2 free cores)."""
    torch = pytest.importorskip("torch")
    from train.ppo import train
    cfg = load_config("pong")
    cfg["total_steps"] = 1_300_000
    cfg["eval"].update(episodes=10, interval_s=1e9, stop_at_target=False)
    cfg["checkpoint_interval_s"] = 1e9
    out = str(tmp_path / "run")
    summary = train(cfg, out, stream=open(os.devnull, "w"))
    assert summary["global_step"] >= 1_200_000
    for name in ("checkpoint.pt", "best.pt", "metrics.csv", "curve.png"):
        assert os.path.isfile(os.path.join(out, name)), name
    with open(os.path.join(out, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == summary["global_step"] // (1024 * 64)

    # Random play loses nearly every point (mean margin about -20); the trained argmax
    # policy must clearly beat it on the same seeds.
    rng = np.random.default_rng(0)
    random_result = evaluate("pong", lambda obs: rng.integers(0, 3, len(obs)), episodes=10,
                             seed=0, baseline=False)
    ckpt = torch.load(os.path.join(out, "checkpoint.pt"), weights_only=False)
    from export.onnx_export import load_checkpoint
    policy, _ = load_checkpoint(os.path.join(out, "checkpoint.pt"), "pong")
    trained = evaluate("pong", torch_act(policy), episodes=10, seed=0, baseline=False)
    assert random_result["return_mean"] < -15
    print("random", random_result, "trained", trained)
    assert trained["return_mean"] > random_result["return_mean"] + 10, trained

    # Resume continues from the checkpoint's step count.
    cfg["total_steps"] = ckpt["global_step"] + 2 * 1024 * 64
    summary2 = train(cfg, out, resume=True, stream=open(os.devnull, "w"))
    assert summary2["global_step"] == ckpt["global_step"] + 2 * 1024 * 64


def small_config(tmp_path, name="pong", **policy):
    """A config file for a few quick updates (small batch, no periodic eval)."""
    lines = [f'env = "{name}"', "total_steps = 8192", "[ppo]", "num_envs = 32",
             "num_steps = 32", "num_minibatches = 4", "update_epochs = 2", "[eval]",
             "episodes = 2", "interval_s = 1e9", "stop_at_target = false", "[policy]"]
    lines += [f"{key} = {value}" for key, value in policy.items()]
    path = tmp_path / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_lstm_sequence_replays_the_rollout(tmp_path):
    """The update's sequence replay (state from the rollout's start, reset at episode
    ends) gives exactly the rollout's log-probs and values: the first epoch's ratio is 1."""
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    from train.distributed import Learners
    from train.ppo import rollout, setup
    from train.shaping import RewardShaping
    cfg = load_config("pong", small_config(tmp_path, lstm=16))
    cfg["env_params"] = {"points_to_win": 1}   # short episodes: resets inside the rollout
    learners = Learners(0, 1, torch.device("cpu"))
    env, policy, _, buf = setup(cfg, learners.device, learners)
    n = env.num_agents
    shaping = RewardShaping(env.spec, cfg["ppo"], 32, n)
    state, done = policy.initial_state(n), torch.zeros(n)
    timer = {"env": 0.0, "forward": 0.0}
    for _ in range(3):   # later rollouts start from a carried, non-zero state
        state, done = rollout(env, policy, buf, state, done, shaping, "cpu", timer)
    env.close()
    assert buf.dones.sum() > 0 and buf.state[0].abs().sum() > 0
    with torch.no_grad():
        logits, values = policy.sequence(buf.obs, buf.state, buf.dones)
    logprobs = torch.log_softmax(logits, 1).gather(1, buf.actions.reshape(-1, 1)).squeeze(1)
    assert torch.allclose(logprobs, buf.logprobs.reshape(-1), atol=1e-5)
    assert torch.allclose(values, buf.values.reshape(-1), atol=1e-5)
    # Without the resets the replay differs: the done flags matter.
    with torch.no_grad():
        wrong, _ = policy.sequence(buf.obs, buf.state, torch.zeros_like(buf.dones))
    assert not torch.allclose(wrong, logits, atol=1e-4)


def test_lstm_trains_resumes_and_exports(tmp_path):
    pytest.importorskip("torch")
    from export.model import load_model
    from export.onnx_export import export
    from train.ppo import train
    cfg = load_config("pong", small_config(tmp_path, lstm=16))
    out = str(tmp_path / "run")
    summary = train(cfg, out, stream=open(os.devnull, "w"))
    assert summary["global_step"] == 8192
    cfg["total_steps"] = 8192 + 2048
    assert train(cfg, out, resume=True, stream=open(os.devnull, "w"))["global_step"] == 10240
    assert os.listdir(os.path.join(out, "tb"))  # TensorBoard events
    meta = export("pong", os.path.join(out, "checkpoint.pt"), str(tmp_path / "models"),
                  episodes=2, log=lambda text: None)
    check = meta["verification"]
    assert check["episodes"] >= check["agents"] and check["steps"] > 1
    assert check["argmax_mismatches"] == 0
    assert [s["input"] for s in meta["recurrent_state"]] == ["lstm_h", "lstm_c"]
    assert [i["name"] for i in meta["inputs"]] == ["obs", "lstm_h", "lstm_c"]
    assert [o["name"] for o in meta["outputs"]] == ["logits", "value", "lstm_h_out",
                                                    "lstm_c_out"]
    model = load_model(str(tmp_path / "models" / "pong.onnx"), envs.spec("pong"))
    assert model.recurrent and model.state_size == 16
    logits, value, h, c = model(np.zeros((3, 8), np.float32))
    assert h.shape == c.shape == (3, 16) and logits.shape == (3, 3)


def test_resume_with_another_batch_size_ends_at_total_steps(tmp_path):
    """Resumed with twice the envs (so twice the steps per update), the run still ends
    at its total_steps, and the learning rate anneals over steps (it was counted in
    updates: the run stopped at once, or ran past the end)."""
    pytest.importorskip("torch")
    from train.ppo import train
    cfg = load_config("pong", small_config(tmp_path))
    out = str(tmp_path / "run")
    cfg["total_steps"] = 4096                      # 4 updates of 32 envs x 32 steps
    assert train(cfg, out, stream=open(os.devnull, "w"))["global_step"] == 4096
    cfg["ppo"]["num_envs"] = 64                   # 2048 steps per update from here
    cfg["total_steps"] = 8192
    assert train(cfg, out, resume=True, stream=open(os.devnull, "w"))["global_step"] == 8192
    with open(os.path.join(out, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [int(r["global_step"]) for r in rows] == [1024, 2048, 3072, 4096, 6144, 8192]
    lrs = [float(r["learning_rate"]) for r in rows]
    base = cfg["ppo"]["learning_rate"]
    assert lrs[4] == pytest.approx(base * (1 - 4096 / 8192))
    assert lrs[5] == pytest.approx(base * (1 - 6144 / 8192))


@pytest.mark.parametrize("policy", [{}, {"lstm": 16}], ids=["mlp", "lstm"])
def test_two_learners_with_gloo_stay_identical_and_export(tmp_path, policy):
    """torchrun, 2 CPU processes (gloo, DistributedDataParallel): same weights on both
    ranks after the updates (their envs and seeds differ), rank 0 alone writes the run
    folder, and the result exports."""
    import subprocess
    import sys
    import json
    from export.onnx_export import export
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone",
         "--nproc_per_node", "2", "-m", "train", "--env", "pong",
         "--config", small_config(tmp_path, **policy), "--out", str(out)],
        cwd=root, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert sorted(s["rank"] for s in lines) == [0, 1]
    assert all(s["learners"] == 2 and s["global_step"] == 8192 for s in lines)
    assert lines[0]["weights_sha256"] == lines[1]["weights_sha256"]
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8192 // (32 * 32)   # one row per update, written once
    import torch
    ckpt = torch.load(out / "checkpoint.pt", weights_only=False)
    assert ckpt["global_step"] == 8192
    meta = export("pong", str(out / "checkpoint.pt"), str(tmp_path / "models"),
                  evaluate_model=False, log=lambda text: None)
    assert meta["verification"]["argmax_mismatches"] == 0


def test_env_mix_steps_each_group_with_its_params_in_agent_order(tmp_path):
    from train.mixed import MixedVecEnv, make_train_env

    groups = [{"num_envs": 2, "env_params": {"opponent_speed": 50}},
              {"num_envs": 3, "env_params": {"opponent_speed": 100}}]
    mixed = MixedVecEnv("pong", groups, seed=7)
    plain = [envs.make("pong", num_envs=2, seed=7, opponent_speed=50),
             envs.make("pong", num_envs=3, seed=9, opponent_speed=100)]
    rng = np.random.default_rng(0)
    for _ in range(300):
        actions = rng.integers(0, 3, size=5).astype(np.int32)
        mixed.actions[...] = actions
        mixed.step_unchecked()
        plain[0].step(actions[:2])
        plain[1].step(actions[2:])
        want = np.concatenate([plain[0].observations, plain[1].observations])
        assert np.array_equal(mixed.observations, want)
        assert np.array_equal(mixed.rewards, np.concatenate([p.rewards for p in plain]))
    mixed.close()
    for p in plain:
        p.close()
    # Each of two learners takes half of every group; an uneven split is a clear error.
    cfg = load_config("pong")
    cfg["env_mix"] = [{"num_envs": 4, "env_params": {}}, {"num_envs": 2, "env_params": {}}]
    share = make_train_env(cfg, seed=0, world=2)
    assert share.num_agents == 3
    share.close()
    cfg["env_mix"][1]["num_envs"] = 3
    with pytest.raises(ValueError, match="not divisible"):
        make_train_env(cfg, seed=0, world=2)


def test_env_mix_config_is_checked(tmp_path):
    path = tmp_path / "pong.toml"
    path.write_text('env = "pong"\nenv_mix = [{ num_envs = 0 }]\n')
    with pytest.raises(ValueError, match="num_envs must be an int >= 1"):
        load_config("pong", str(path))
    path.write_text('env = "pong"\nenv_mix = [{ num_envs = 2, speed = 3 }]\n')
    with pytest.raises(ValueError, match="env_mix"):
        load_config("pong", str(path))
