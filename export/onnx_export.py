"""Checkpoint -> web/models/<env>.onnx + <env>.json + <env>.png, checked end to end.

The ONNX file is self-contained (no external data), opset 17 (onnxruntime-web 1.30 runs
it), with a dynamic batch dimension. Before anything is written to the output folder the
exported model is compared with the torch policy on real observations from the env (max
abs difference of logits and value <= 1e-5, identical argmax; a recurrent model over
whole episodes, each side carrying its own state) and evaluated with onnxruntime on the
native env next to the scripted baseline.
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
from envs.vector import head_width, is_continuous
from export.model import (INPUT_NAME, OPSET, PREFIX, ModelError, check_model_proto,
                          load_model, output_names, recurrent_state, spec_metadata)
from train import checkpoint as checkpoints
from train.evaluate import evaluate

TOLERANCE = 1e-5
EXAMPLE_BATCH = 4  # any batch >= 2, so the exporter cannot specialise the batch size


def actions_meta(spec):
    """The sidecar's "actions": count and names; for continuous actions also the kind,
    dim and bounds, and how the page turns the outputs into actions."""
    meta = {"count": spec["num_actions"], "names": list(spec["action_names"])}
    if is_continuous(spec):
        meta.update(kind="continuous", dim=spec["action_dim"],
                    low=list(spec["action_low"]), high=list(spec["action_high"]),
                    deterministic="mean, clipped into [low, high]",
                    sampling="mean + exp(log_std) * N(0, 1), clipped into [low, high]")
    return meta


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
        return checkpoints.load_policy(path, envs.spec(env_name))
    except ValueError as e:
        raise ModelError(str(e)) from e


def to_onnx_bytes(policy, spec):
    """Exports a Policy to ONNX (bytes) with spec metadata; raises ModelError on misfit."""
    import onnx
    if (policy.obs_size, policy.obs_dtype, policy.num_actions, policy.continuous) != (
            spec["obs_size"], spec["obs_dtype"], spec["num_actions"], is_continuous(spec)):
        raise ModelError(f"policy expects obs_size={policy.obs_size} {policy.obs_dtype}, "
                         f"{policy.num_actions} actions; env {spec['name']!r} has obs_size="
                         f"{spec['obs_size']} {spec['obs_dtype']}, {spec['num_actions']} "
                         f"actions")
    dtype = torch.uint8 if spec["obs_dtype"] == "uint8" else torch.float32
    example = (torch.zeros((EXAMPLE_BATCH, spec["obs_size"]), dtype=dtype),)
    state = recurrent_state(policy.lstm_size)
    example += tuple(policy.initial_state(EXAMPLE_BATCH))
    inputs = [INPUT_NAME] + [s["input"] for s in state]
    outputs = list(output_names(spec)) + [s["output"] for s in state]
    buffer = io.BytesIO()
    policy.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(policy, example, buffer, dynamo=False, opset_version=OPSET,
                          input_names=inputs, output_names=outputs,
                          dynamic_axes={name: {0: "batch"} for name in inputs + outputs},
                          external_data=False, do_constant_folding=True)
    model = onnx.load_from_string(buffer.getvalue())
    props = spec_metadata(spec)
    props[PREFIX + "recurrent_state"] = json.dumps(state)
    for key, value in props.items():
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
            heads = policy(torch.from_numpy(obs))
            if policy.continuous:
                mean, log_std = heads[0], heads[1]
                noise = torch.randn(mean.shape, generator=gen)
                env.actions[...] = (mean + log_std.exp() * noise).numpy()  # C clamps
            else:
                probs = torch.softmax(heads[0], dim=1)
                env.actions[...] = torch.multinomial(probs, 1, generator=gen).squeeze(1).numpy()
            env.step_unchecked()
    env.close()
    return np.concatenate(out)


def compare_continuous(policy, onnx_policy, observations):
    """Max abs differences of mean, log_std and value, torch vs onnxruntime; ModelError
    past tolerance (relative to the size of the means)."""
    with torch.inference_mode():
        torch_out = [x.numpy() for x in policy(torch.from_numpy(observations))]
    onnx_out = onnx_policy(observations)
    report = {"observations": int(len(observations))}
    for name, t, o in zip(("mean", "log_std", "value"), torch_out, onnx_out):
        if o.shape != t.shape:
            raise ModelError(f"onnx output {name} has shape {o.shape}, torch {t.shape}")
        report[f"max_abs_diff_{name}"] = float(np.max(np.abs(o - t)))
    scale = max(1.0, float(np.max(np.abs(torch_out[0]))))
    if (report["max_abs_diff_mean"] > TOLERANCE * scale
            or report["max_abs_diff_log_std"] > TOLERANCE
            or report["max_abs_diff_value"] > TOLERANCE):
        raise ModelError(f"onnxruntime disagrees with torch: {report}")
    return report


def compare(policy, onnx_policy, observations):
    """Max abs differences torch vs onnxruntime; ModelError past tolerance or argmax flip."""
    if policy.continuous:
        return compare_continuous(policy, onnx_policy, observations)
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


def compare_episodes(policy, onnx_policy, env_name, num_envs=4, seed=12345,
                     max_steps=50_000):
    """Recurrent parity over whole episodes: torch and onnxruntime see the same
    observations (actions sampled from torch's logits), each carrying its OWN state from
    step to step and zeroing it where an episode ends, until every agent has finished an
    episode. ModelError past tolerance (logits, value, h, c; each relative to its largest
    torch magnitude when that is above 1: float32 rounding grows with the values, and an
    LSTM's cell state grows over a long episode) or on an argmax flip."""
    env = envs.make(env_name, num_envs=num_envs, seed=seed)
    n = env.num_agents
    t_h, t_c = policy.initial_state(n)
    o_h, o_c = np.zeros((n, policy.lstm_size), np.float32), np.zeros((n, policy.lstm_size),
                                                                      np.float32)
    gen = torch.Generator().manual_seed(seed)
    diffs = {"logits": 0.0, "value": 0.0, "h": 0.0, "c": 0.0}
    scales = dict.fromkeys(diffs, 1.0)
    finished = np.zeros(n, dtype=bool)
    flips = steps = episodes = 0
    try:
        while not finished.all():
            if steps >= max_steps:
                raise ModelError(f"parity check: episodes of {env_name!r} did not end within "
                                 f"{max_steps} steps")
            obs = env.observations.copy()
            with torch.inference_mode():
                t_logits, t_value, t_h, t_c = policy(torch.from_numpy(obs), t_h, t_c)
            o_logits, o_value, o_h, o_c = onnx_policy(obs, o_h, o_c)
            for key, t, o in (("logits", t_logits, o_logits), ("value", t_value, o_value),
                              ("h", t_h, o_h), ("c", t_c, o_c)):
                diffs[key] = max(diffs[key], float(np.max(np.abs(o - t.numpy()))))
                scales[key] = max(scales[key], float(np.max(np.abs(t.numpy()))))
            flips += int(np.sum(o_logits.argmax(1) != t_logits.numpy().argmax(1)))
            probs = torch.softmax(t_logits, dim=1)
            env.actions[...] = torch.multinomial(probs, 1, generator=gen).squeeze(1).numpy()
            env.step_unchecked()
            done = env.terminals | env.truncations
            episodes += int(done.sum())
            finished |= done
            keep = torch.from_numpy(~done).float().unsqueeze(1)
            t_h, t_c = t_h * keep, t_c * keep
            o_h, o_c = o_h * keep.numpy(), o_c * keep.numpy()
            steps += 1
    finally:
        env.close()
    report = {"observations": steps * n, "steps": steps, "agents": n, "episodes": episodes,
              **{f"max_abs_diff_{k}": v for k, v in diffs.items()},
              **{f"max_abs_{k}": v for k, v in scales.items()},
              "argmax_mismatches": flips}
    if any(diffs[k] > TOLERANCE * scales[k] for k in diffs) or flips:
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
        if policy.recurrent:
            check = compare_episodes(policy, onnx_policy, env_name)
        else:
            check = compare(policy, onnx_policy, collect_observations(env_name, policy))
        diffs = ", ".join(f"{k[len('max_abs_diff_'):]} {v:.2e}" for k, v in check.items()
                          if k.startswith("max_abs_diff_"))
        log(f"onnxruntime matches torch on {check['observations']} observations "
            f"(max abs diff {diffs})")
        result = None
        if evaluate_model:
            result = evaluate(env_name, onnx_policy.act, episodes, seed)
            log(f"eval over {episodes} episodes: {json.dumps(result)}")
    except BaseException:
        os.remove(tmp_path)
        raise

    config = ckpt.get("config", {})
    state = recurrent_state(policy.lstm_size)
    width = head_width(spec)
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
        "actions": actions_meta(spec),
        "inputs": [{"name": INPUT_NAME, "shape": ["batch", spec["obs_size"]],
                    "dtype": spec["obs_dtype"]}]
        + [{"name": s["input"], "shape": s["shape"], "dtype": s["dtype"]} for s in state],
        "outputs": [{"name": name, "shape": ["batch"] if name == "value" else
                     ["batch", width], "dtype": "float32"} for name in output_names(spec)]
        + [{"name": s["output"], "shape": s["shape"], "dtype": s["dtype"]} for s in state],
        "recurrent_state": state,
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
