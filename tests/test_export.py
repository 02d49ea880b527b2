"""Export round trip and model validation (fast: freshly initialised policies)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import envs
from export.model import ModelError, check_model_proto, load_model
from export.onnx_export import compare, export, to_onnx_bytes
from train.config import load_config
from train.policy import Policy, make_policy

torch.set_num_threads(1)  # 2 threads on 2 shared cores collapse (see BRIEF)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENVS = envs.list()
CONTINUOUS = [n for n in ENVS if envs.spec(n)["action_kind"] == "continuous"]
GRID_SPEC = {  # a synthetic uint8 grid env: no compiled env needed
    "name": "grid", "obs_dtype": "uint8", "obs_size": 35, "obs_height": 5, "obs_width": 7,
    "obs_low": 0.0, "obs_high": 4.0, "num_actions": 4, "action_names": list("UDLR"),
}


def fresh_policy(name):
    torch.manual_seed(0)
    return make_policy(envs.spec(name), load_config(name)["policy"])


@pytest.fixture(scope="module")
def pong_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    export("pong", out_dir=str(out), policy=fresh_policy("pong"), evaluate_model=False,
           log=lambda text: None)
    return out / "pong.onnx"


@pytest.mark.parametrize("name", ENVS)
def test_policy_shapes_come_from_spec(name):
    spec = envs.spec(name)
    policy = fresh_policy(name)
    env = envs.make(name, num_envs=2, seed=0)
    obs = torch.from_numpy(env.observations)
    if policy.recurrent:  # a config with [policy] lstm: the state goes in and out
        out = policy(obs, *policy.initial_state(env.num_agents))[:2]
    else:
        out = policy(obs)
    env.close()
    if spec["action_kind"] == "continuous":  # mean, log_std, value
        assert out[0].shape == out[1].shape == (env.num_agents, spec["action_dim"])
    else:
        assert out[0].shape == (env.num_agents, spec["num_actions"])
    assert out[-1].shape == (env.num_agents,)


def test_onehot_preprocessing_matches_codes():
    policy = Policy(GRID_SPEC, hidden=8, layers=1)
    obs = torch.tensor([[0, 1, 2, 3, 4] * 7], dtype=torch.uint8)
    x = policy.preprocess(obs).reshape(35, 5)
    assert torch.equal(x, torch.nn.functional.one_hot(obs[0].long(), 5).float())
    conv = Policy(GRID_SPEC, hidden=8, layers=1, conv_channels=(4,))
    assert conv.preprocess(obs).shape == (1, 5, 5, 7)


@pytest.mark.parametrize("conv", [(), (8,)])
def test_uint8_grid_policy_exports(conv):
    import onnx
    import onnxruntime as ort
    torch.manual_seed(0)
    policy = Policy(GRID_SPEC, hidden=16, layers=1, conv_channels=conv)
    data = to_onnx_bytes(policy, GRID_SPEC)
    check_model_proto(onnx.load_from_string(data), GRID_SPEC)
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    obs = np.random.default_rng(0).integers(0, 5, (1000, 35), dtype=np.uint8)
    logits, value = session.run(None, {"obs": obs})
    with torch.inference_mode():
        t_logits, t_value = policy(torch.from_numpy(obs))
    assert np.abs(logits - t_logits.numpy()).max() <= 1e-5
    assert np.abs(value - t_value.numpy()).max() <= 1e-5
    assert (logits.argmax(1) == t_logits.numpy().argmax(1)).all()


@pytest.mark.parametrize("name", ENVS)
def test_export_round_trip(name, tmp_path):
    policy = fresh_policy(name)
    meta = export(name, out_dir=str(tmp_path), policy=policy,
                  evaluate_model=False, log=lambda text: None)
    spec = envs.spec(name)
    continuous = spec["action_kind"] == "continuous"
    heads = ["mean", "log_std"] if continuous else ["logits"]
    assert meta["verification"]["observations"] >= 1000
    for head in heads:
        assert meta["verification"][f"max_abs_diff_{head}"] <= 1e-5
    with open(tmp_path / f"{name}.json") as f:
        saved = json.load(f)
    assert saved["observation"] == {"shape": [spec["obs_size"]], "size": spec["obs_size"],
                                    "dtype": spec["obs_dtype"], "height": spec["obs_height"],
                                    "width": spec["obs_width"], "low": spec["obs_low"],
                                    "high": spec["obs_high"]}
    actions = {"count": spec["num_actions"], "names": spec["action_names"]}
    if continuous:
        assert {k: saved["actions"][k] for k in ("kind", "dim", "low", "high")} == {
            "kind": "continuous", "dim": spec["action_dim"], "low": spec["action_low"],
            "high": spec["action_high"]}
        actions = {k: saved["actions"][k] for k in actions}
    assert actions == {"count": spec["num_actions"], "names": spec["action_names"]}
    # A config with [policy] lstm exports its state as extra inputs and outputs.
    state = ["lstm_h", "lstm_c"] if policy.recurrent else []
    assert [i["name"] for i in saved["inputs"]] == ["obs", *state]
    assert [o["name"] for o in saved["outputs"]] == heads + ["value",
                                                             *[f"{n}_out" for n in state]]
    assert [s["input"] for s in saved["recurrent_state"]] == state
    model = load_model(str(tmp_path / f"{name}.onnx"), spec)
    assert model.metadata["shiftplay.env"] == name
    assert not (tmp_path / f"{name}.onnx.data").exists()  # single file
    width = spec["action_dim"] if continuous else spec["num_actions"]
    for batch in (1, 7):  # dynamic batch
        obs = np.zeros((batch, spec["obs_size"]), dtype=spec["obs_dtype"])
        zeros = [np.zeros((batch, policy.lstm_size), np.float32) for _ in state]
        out = model(obs, *zeros)[:len(heads) + 1]
        assert all(o.shape == (batch, width) for o in out[:-1]) and out[-1].shape == (batch,)


def test_compare_detects_mismatch(pong_model):
    spec = envs.spec("pong")
    model = load_model(str(pong_model), spec)
    other = fresh_policy("pong")
    with torch.no_grad():
        other.critic.bias += 1e-3
    obs = np.zeros((4, spec["obs_size"]), dtype=np.float32)
    with pytest.raises(ModelError, match="disagrees"):
        compare(other, model, obs)


def test_garbage_file_is_rejected(tmp_path):
    path = tmp_path / "pong.onnx"
    path.write_bytes(b"this is not an onnx model")
    with pytest.raises(ModelError, match="not a valid ONNX model"):
        load_model(str(path), envs.spec("pong"))


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(str(tmp_path / "nope.onnx"), envs.spec("pong"))


def test_wrong_env_model_is_rejected(pong_model):
    other = dict(envs.spec("pong"), name="breakout")
    with pytest.raises(ModelError, match="policy for env 'pong', not 'breakout'"):
        load_model(str(pong_model), other)


@pytest.mark.parametrize("key,value", [("obs_size", 9), ("obs_dtype", "uint8"),
                                       ("num_actions", 4)])
def test_wrong_sizes_are_rejected(pong_model, key, value):
    spec = dict(envs.spec("pong"), **{key: value})
    with pytest.raises(ModelError, match=key):
        load_model(str(pong_model), spec)


def test_policy_for_other_sizes_cannot_be_exported():
    spec = envs.spec("pong")
    policy = Policy(dict(spec, obs_size=9, obs_width=9), hidden=8, layers=1)
    with pytest.raises(ModelError, match="obs_size=9"):
        to_onnx_bytes(policy, spec)


def test_sidecar_json_mismatch_is_rejected(pong_model, tmp_path):
    path = tmp_path / "pong.onnx"
    path.write_bytes(pong_model.read_bytes())
    meta = json.loads((pong_model.parent / "pong.json").read_text())
    meta["actions"]["count"] = 5
    (tmp_path / "pong.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="actions.count"):
        load_model(str(path), envs.spec("pong"))


def test_evaluate_cli_reports_bad_model(tmp_path):
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x00garbage")
    proc = subprocess.run([sys.executable, "-m", "export.evaluate", "--env", "pong",
                           "--model", str(path), "--episodes", "1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "not a valid ONNX model" in proc.stderr


def test_evaluate_cli_prints_one_json_line(pong_model):
    proc = subprocess.run([sys.executable, "-m", "export.evaluate", "--env", "pong",
                           "--model", str(pong_model), "--episodes", "3", "--seed", "5"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["episodes"] == 3
    for key in ("score_mean", "score_std", "score_min", "score_max", "perf_mean",
                "baseline_mean"):
        assert isinstance(result[key], float)


def test_recurrent_export_carries_state_over_whole_episodes(tmp_path):
    """An LSTM policy exports with explicit h/c inputs and outputs, matches torch over
    whole episodes (each side carrying its own state), and describes its state in the
    model metadata and the JSON sidecar."""
    torch.manual_seed(0)
    policy = make_policy(envs.spec("pong"), {"hidden": 32, "layers": 1, "lstm": 8})
    meta = export("pong", out_dir=str(tmp_path), policy=policy, evaluate_model=False,
                  log=lambda text: None)
    check = meta["verification"]
    assert check["episodes"] >= check["agents"] and check["steps"] > 100
    assert max(check[f"max_abs_diff_{k}"] for k in ("logits", "value", "h", "c")) <= 1e-5
    state = meta["recurrent_state"]
    assert [(s["input"], s["output"], s["shape"]) for s in state] == [
        ("lstm_h", "lstm_h_out", ["batch", 8]), ("lstm_c", "lstm_c_out", ["batch", 8])]
    model = load_model(str(tmp_path / "pong.onnx"), envs.spec("pong"))
    assert json.loads(model.metadata["shiftplay.recurrent_state"]) == state
    # The state matters: a second step from the first step's state differs from zeros.
    obs = np.random.default_rng(0).uniform(-1, 1, (2, 8)).astype(np.float32)
    _, _, h, c = model(obs)
    assert not np.allclose(model(obs, h, c)[0], model(obs)[0])
    # A sidecar that disagrees about the state is rejected.
    saved = json.loads((tmp_path / "pong.json").read_text())
    saved["recurrent_state"] = []
    (tmp_path / "pong.json").write_text(json.dumps(saved))
    with pytest.raises(ModelError, match="recurrent_state"):
        load_model(str(tmp_path / "pong.onnx"), envs.spec("pong"))


def test_recurrent_metadata_must_match_the_graph():
    import onnx
    torch.manual_seed(0)
    spec = envs.spec("pong")
    data = to_onnx_bytes(make_policy(spec, {"hidden": 16, "layers": 1, "lstm": 4}), spec)
    model = onnx.load_from_string(data)
    for prop in model.metadata_props:
        if prop.key == "shiftplay.recurrent_state":
            prop.value = "[]"   # claims feed-forward, but the graph has state inputs
    with pytest.raises(ModelError, match="must have inputs"):
        check_model_proto(model, spec)
    for prop in model.metadata_props:
        if prop.key == "shiftplay.recurrent_state":
            prop.value = "{not json"
    with pytest.raises(ModelError, match="unreadable"):
        check_model_proto(model, spec)


@pytest.mark.parametrize("name", CONTINUOUS)
def test_continuous_model_contract(name, tmp_path):
    """A Gaussian policy's model: mean and log_std as outputs, the action kind and bounds
    in its metadata; act() plays the means clipped into the bounds; a model whose action
    kind or bounds differ from the env's is refused."""
    import onnx

    spec = envs.spec(name)
    policy = fresh_policy(name)
    with torch.no_grad():
        policy.actor_logstd.fill_(-0.7)
        policy.actor.bias.copy_(torch.linspace(-3.0, 3.0, spec["action_dim"]))
    export(name, out_dir=str(tmp_path), policy=policy, evaluate_model=False,
           log=lambda text: None)
    path = str(tmp_path / f"{name}.onnx")
    model = load_model(path, spec)
    props = model.metadata
    assert props["shiftplay.action_kind"] == "continuous"
    assert json.loads(props["shiftplay.action_low"]) == spec["action_low"]
    obs = np.zeros((3, spec["obs_size"]), np.float32)
    mean, log_std, value = model(obs)
    np.testing.assert_allclose(log_std, -0.7, atol=1e-6)
    acts = model.act(obs)
    assert acts.dtype == np.float32 and acts.shape == (3, spec["action_dim"])
    np.testing.assert_array_equal(acts, np.clip(mean, spec["action_low"], spec["action_high"]))
    proto = onnx.load(path)
    for key, value in (("action_kind", "discrete"), ("action_high", "[9.0, 9.0]")):
        bad = onnx.load(path)
        for p in bad.metadata_props:
            if p.key == "shiftplay." + key:
                p.value = value
        with pytest.raises(ModelError, match=key.replace("action_kind", "discrete actions")):
            check_model_proto(bad, spec)
    check_model_proto(proto, spec)
    with pytest.raises(ModelError, match="discrete actions"):
        load_model(path, dict(spec, action_kind="discrete"))
