"""Deterministic evaluation: python -m train.evaluate --env NAME [--model PATH] ...

Prints one JSON line: the model's score statistics over exactly `episodes` finished
episodes, and the scripted baseline's mean on the same seeds.

How episodes are counted (the same for every policy, so results are reproducible):
lane i is its own env instance seeded `seed + i`; every agent contributes its FIRST
episode only (waiting for the first N finishers would favour short episodes), and lanes
are added until there are `episodes` agents: ceil(episodes / agents_per_env) lanes, the
first `episodes` agents in index order. For multi-agent envs (snake) an episode is one
life; the env only reports per-env means, so agents of one env that die on the same step
share that step's mean score.
"""
import argparse
import functools
import json
import math
import sys
import time

import numpy as np

import envs


def run_episodes(name, act=None, episodes=100, seed=0, params=None, max_steps=None):
    """Plays `episodes` episodes; returns per-episode arrays (score, return, length, perf).

    act(obs [n, obs_size]) -> int actions [n]; None plays the env's scripted baseline.
    """
    params = dict(params or {})
    probe = envs.make(name, num_envs=1, seed=seed, **params)
    per_env = probe.agents_per_env
    probe.close()
    num_lanes = math.ceil(episodes / per_env)
    lanes = [envs.make(name, num_envs=1, seed=seed + i, **params) for i in range(num_lanes)]
    # Agents whose first episode we record, and what we record for them.
    wanted = np.zeros(num_lanes * per_env, dtype=bool)
    wanted[:episodes] = True
    recorded = {key: np.full(num_lanes * per_env, np.nan) for key in
                ("score", "episode_return", "episode_length", "perf")}
    active = list(range(num_lanes))
    step = 0
    while active:
        if act is not None:
            obs = np.concatenate([lanes[i].observations for i in active])
            actions = np.asarray(act(obs), dtype=np.int32)
        finished = False
        for k, i in enumerate(active):
            lane = lanes[i]
            if act is None:
                lane.baseline_actions(out=lane.actions)
            else:
                lane.actions[...] = actions[k * per_env:(k + 1) * per_env]
            lane.step_unchecked()
            if np.count_nonzero(lane.terminals) or np.count_nonzero(lane.truncations):
                done = np.flatnonzero(lane.terminals | lane.truncations)
                logs = lane.take_agent_logs(done)  # exactly each agent's ended episode
                for k, a in enumerate(done):
                    agent = i * per_env + a
                    if wanted[agent]:
                        wanted[agent] = False
                        finished = True
                        for key in recorded:
                            recorded[key][agent] = logs[key][k]
        if finished:
            active = [i for i in active if wanted[i * per_env:(i + 1) * per_env].any()]
        step += 1
        if max_steps is not None and step >= max_steps:
            raise RuntimeError(f"evaluation did not finish within {max_steps} steps")
    for lane in lanes:
        lane.close()
    return {key: values[:episodes] for key, values in recorded.items()}


def summarize(results):
    score = results["score"]
    return {
        "episodes": int(len(score)),
        "score_mean": float(np.mean(score)),
        "score_std": float(np.std(score)),
        "score_min": float(np.min(score)),
        "score_max": float(np.max(score)),
        "perf_mean": float(np.mean(results["perf"])),
        "return_mean": float(np.mean(results["episode_return"])),
        "length_mean": float(np.mean(results["episode_length"])),
    }


@functools.lru_cache(maxsize=16)
def _baseline_summary(name, episodes, seed, params_items):
    return summarize(run_episodes(name, None, episodes, seed, dict(params_items)))


def baseline_summary(name, episodes=100, seed=0, params=None):
    """The scripted baseline's summary on the evaluation seeds (memoized: deterministic)."""
    return dict(_baseline_summary(name, episodes, seed, tuple(sorted((params or {}).items()))))


def evaluate(name, act, episodes=100, seed=0, params=None, baseline=True):
    """Summary dict for `act` (argmax policy) plus the baseline's stats on the same seeds."""
    start = time.perf_counter()
    out = {"env": name, "seed": seed}
    out.update(summarize(run_episodes(name, act, episodes, seed, params)))
    if baseline:
        base = baseline_summary(name, episodes, seed, params)
        out["baseline_mean"] = base["score_mean"]
        out["baseline_perf_mean"] = base["perf_mean"]
        out["baseline_std"] = base["score_std"]
    out["eval_seconds"] = round(time.perf_counter() - start, 2)
    return out


def torch_act(policy, device="cpu"):
    """act() for a torch Policy: argmax of the logits, no gradients."""
    import torch

    def act(obs):
        with torch.inference_mode():
            logits, _ = policy(torch.from_numpy(obs).to(device))
        return logits.argmax(dim=1).to(torch.int32).cpu().numpy()
    return act


def parse_param(text):
    key, _, value = text.partition("=")
    if not key or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=INT, got {text!r}")
    return key, int(value)


def main(argv=None):
    from export.model import ModelError, default_model_path, load_model
    parser = argparse.ArgumentParser(description="Evaluate an exported ONNX policy "
                                     "(argmax actions) on the native env.")
    parser.add_argument("--env", required=True)
    parser.add_argument("--model", help="default web/models/<env>.onnx")
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--param", action="append", type=parse_param, default=[],
                        help="env param NAME=INT (repeatable); default: the env's defaults")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error("--episodes must be >= 1")
    try:
        spec = envs.spec(args.env)
        model = load_model(args.model or default_model_path(args.env), spec)
    except (ModelError, ValueError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    result = evaluate(args.env, model.act, args.episodes, args.seed, dict(args.param),
                      baseline=not args.no_baseline)
    result = {"model": model.path, **result}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
