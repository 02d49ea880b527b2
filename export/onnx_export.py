"""Checkpoint -> web/models/<env>.onnx + <env>.json + <env>.png, checked end to end.

The ONNX file is self-contained (no external data), opset 17 (onnxruntime-web 1.30 runs
it), with a dynamic batch dimension. Before anything is written to the output folder the
exported model is compared with the torch policy on real observations from the env (max
abs difference of logits and value <= 1e-5, identical argmax) and evaluated with
onnxruntime on the native env next to the scripted baseline.
"""
import datetime
import io
import json
import os
import shutil
import warnings

import numpy as np
import torch

import envs
from export.model import (INPUT_NAME, OPSET, OUTPUT_NAMES, ModelError, check_model_proto,
                          load_model, spec_metadata)
from train.evaluate import evaluate
from train.policy import make_policy

TOLERANCE = 1e-5
EXAMPLE_BATCH = 4  # any batch >= 2, so the exporter cannot specialise the batch size


def default_checkpoint(env_name, runs_dir="runs"):
    """runs/<env>/best.pt (best in-training eval) if present, else checkpoint.pt."""
    for name in ("best.pt", "checkpoint.pt"):
        path = os.path.join(runs_dir, env_name, name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"no checkpoint in {os.path.join(runs_dir, env_name)}; train "
                            f"one with `python -m train --env {env_name}`")


def load_checkpoint(path, env_name):
    """(policy, checkpoint dict); ModelError if it was trained for another env layout."""
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:
        raise ModelError(f"cannot read checkpoint {path}: {e}") from e
    spec = envs.spec(env_name)
    saved = ckpt.get("spec") or {}
    for key in ("name", "obs_size", "obs_dtype", "obs_height", "obs_width", "obs_high",
                "num_actions"):
        if saved.get(key) != spec.get(key):
            raise ModelError(f"checkpoint {path} was trained with {key}={saved.get(key)!r}"
                             f" but env {env_name!r} has {key}={spec.get(key)!r}")
    policy = make_policy(spec, ckpt["config"]["policy"])
    policy.load_state_dict(ckpt["policy"])
    policy.eval()
    return policy, ckpt


def to_onnx_bytes(policy, spec):
    """Exports a Policy to ONNX (bytes) with spec metadata; raises ModelError on misfit."""
    import onnx
    if (policy.obs_size, policy.obs_dtype, policy.num_actions) != (
            spec["obs_size"], spec["obs_dtype"], spec["num_actions"]):
        raise ModelError(f"policy expects obs_size={policy.obs_size} {policy.obs_dtype}, "
                         f"{policy.num_actions} actions; env {spec['name']!r} has obs_size="
                         f"{spec['obs_size']} {spec['obs_dtype']}, {spec['num_actions']} "
                         f"actions")
    dtype = torch.uint8 if spec["obs_dtype"] == "uint8" else torch.float32
    example = torch.zeros((EXAMPLE_BATCH, spec["obs_size"]), dtype=dtype)
    buffer = io.BytesIO()
    policy.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(policy, (example,), buffer, dynamo=False, opset_version=OPSET,
                          input_names=[INPUT_NAME], output_names=list(OUTPUT_NAMES),
                          dynamic_axes={INPUT_NAME: {0: "batch"}, "logits": {0: "batch"},
                                        "value": {0: "batch"}},
                          external_data=False, do_constant_folding=True)
    model = onnx.load_from_string(buffer.getvalue())
    for key, value in spec_metadata(spec).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    model.producer_name = "shiftplay"
    onnx.checker.check_model(model)
    check_model_proto(model, spec, where="exported model")
    return model.SerializeToString()


def collect_observations(env_name, policy, count=2048, seed=12345):
    """At least `count` real observations from the env, played by the policy (sampled)."""
    probe = envs.make(env_name, num_envs=1, seed=seed)
    per_env = probe.agents_per_env
    probe.close()
    num_envs = max(1, min(64, count // per_env))
    env = envs.make(env_name, num_envs=num_envs, seed=seed)
    steps = -(-count // env.num_agents)
    gen = torch.Generator().manual_seed(seed)
    out = []
    with torch.inference_mode():
        for _ in range(steps):
            obs = env.observations.copy()
            out.append(obs)
            logits, _ = policy(torch.from_numpy(obs))
            probs = torch.softmax(logits, dim=1)
            env.actions[...] = torch.multinomial(probs, 1, generator=gen).squeeze(1).numpy()
            env.step_unchecked()
    env.close()
    return np.concatenate(out)


def compare(policy, onnx_policy, observations):
    """Max abs differences torch vs onnxruntime; ModelError past tolerance or argmax flip."""
    with torch.inference_mode():
        t_logits, t_value = (x.numpy() for x in policy(torch.from_numpy(observations)))
    o_logits, o_value = onnx_policy(observations)
    if o_logits.shape != t_logits.shape or o_value.shape != t_value.shape:
        raise ModelError(f"onnx output shapes {o_logits.shape}, {o_value.shape} differ from "
                         f"torch {t_logits.shape}, {t_value.shape}")
    diff_logits = float(np.max(np.abs(o_logits - t_logits)))
    diff_value = float(np.max(np.abs(o_value - t_value)))
    flips = int(np.sum(o_logits.argmax(1) != t_logits.argmax(1)))
    report = {"observations": int(len(observations)), "max_abs_diff_logits": diff_logits,
              "max_abs_diff_value": diff_value, "argmax_mismatches": flips}
    # Relative to the logits' size (float32 rounding grows with it); masked logits
    # (-1e9, turn-based envs) are equal on both sides and do not count.
    scale = max(1.0, float(np.max(np.abs(t_logits[t_logits > -1e8]), initial=0.0)))
    if diff_logits > TOLERANCE * scale or diff_value > TOLERANCE or flips:
        raise ModelError(f"onnxruntime disagrees with torch: {report}")
    return report


def export(env_name, checkpoint=None, out_dir=None, episodes=100, seed=0, policy=None,
           ckpt=None, evaluate_model=True, log=print):
    """Exports, verifies and evaluates; writes <out_dir>/<env>.{onnx,json,png}.

    Pass `policy` (and optionally a `ckpt` dict) to export an in-memory policy instead
    of a checkpoint file. Returns the metadata dict written to <env>.json."""
    spec = envs.spec(env_name)
    if policy is None:
        checkpoint = checkpoint or default_checkpoint(env_name)
        policy, ckpt = load_checkpoint(checkpoint, env_name)
    ckpt = ckpt or {}
    out_dir = out_dir or os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "web", "models")
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, f"{env_name}.onnx")
    json_path = os.path.join(out_dir, f"{env_name}.json")
    png_path = os.path.join(out_dir, f"{env_name}.png")

    data = to_onnx_bytes(policy, spec)
    tmp_path = onnx_path + ".tmp"
    with open(tmp_path, "wb") as f:
        f.write(data)
    try:
        onnx_policy = load_model(tmp_path, spec, check_sidecar=False)
        check = compare(policy, onnx_policy, collect_observations(env_name, policy))
        log(f"onnxruntime matches torch on {check['observations']} observations "
            f"(max abs diff logits {check['max_abs_diff_logits']:.2e}, value "
            f"{check['max_abs_diff_value']:.2e})")
        result = None
        if evaluate_model:
            result = evaluate(env_name, onnx_policy.act, episodes, seed)
            log(f"eval over {episodes} episodes: {json.dumps(result)}")
    except BaseException:
        os.remove(tmp_path)
        raise

    config = ckpt.get("config", {})
    meta = {
        "env": env_name,
        "title": spec["title"],
        "format_version": 1,
        "file": os.path.basename(onnx_path),
        "opset": OPSET,
        "observation": {"shape": [spec["obs_size"]], "size": spec["obs_size"],
                        "dtype": spec["obs_dtype"], "height": spec["obs_height"],
                        "width": spec["obs_width"], "low": spec["obs_low"],
                        "high": spec["obs_high"]},
        "actions": {"count": spec["num_actions"], "names": list(spec["action_names"])},
        "inputs": [{"name": INPUT_NAME, "shape": ["batch", spec["obs_size"]],
                    "dtype": spec["obs_dtype"]}],
        "outputs": [{"name": "logits", "shape": ["batch", spec["num_actions"]],
                     "dtype": "float32"},
                    {"name": "value", "shape": ["batch"], "dtype": "float32"}],
        "recurrent_state": [],
        "policy": {"architecture": type(policy).__name__,
                   "config": config.get("policy", {}),
                   "parameters": sum(p.numel() for p in policy.parameters())},
        "training": {"steps": ckpt.get("global_step"),
                     "wall_time_s": round(ckpt["wall_time"], 1) if "wall_time" in ckpt else None,
                     "seed": config.get("seed"), "env_params": config.get("env_params"),
                     "ppo": config.get("ppo"), "target": config.get("target"),
                     "best_training_eval": ckpt.get("best_eval"),
                     "checkpoint": checkpoint},
        "eval": result,
        "eval_score": result["score_mean"] if result else None,
        "baseline_score": result["baseline_mean"] if result else None,
        "verification": check,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "torch_version": torch.__version__,
    }
    os.replace(tmp_path, onnx_path)
    with open(json_path, "w") as f:
        json.dump(meta, f, indent=2, default=float)
        f.write("\n")
    curve = os.path.join(os.path.dirname(checkpoint), "curve.png") if checkpoint else None
    if curve and os.path.isfile(curve):
        shutil.copyfile(curve, png_path)
    log(f"wrote {onnx_path} ({len(data):,} bytes), {json_path}"
        + (f", {png_path}" if curve and os.path.isfile(curve) else ""))
    return meta
