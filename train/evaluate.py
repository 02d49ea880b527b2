"""Deterministic evaluation of a policy on the native env (argmax actions), and the
scripted baseline's score on the same seeds. The command line for exported ONNX models
is `python -m export.evaluate`; here `act` is any function obs -> actions (torch_act()
wraps a torch Policy).

How episodes are counted (the same for every policy, so results are reproducible):
lane i is its own env instance seeded `seed + i`; every agent contributes its FIRST
episode only (waiting for the first N finishers would favour short episodes), and lanes
are added until there are `episodes` agents: ceil(episodes / agents_per_env) lanes, the
first `episodes` agents in index order. For multi-agent envs (snake) an episode is one
life; the env only reports per-env means, so agents of one env that die on the same step
share that step's mean score.
"""
import functools
import math
import time

import numpy as np

import envs
from train.config import needs_baseline, target_met


def run_episodes(name, act=None, episodes=100, seed=0, params=None, max_steps=None):
    """Plays `episodes` episodes; returns per-episode arrays (score, return, length, perf).

    act(obs [n, obs_size]) -> int actions [n] (continuous envs: float actions
    [n, action_dim]); None plays the env's scripted baseline.
    A recurrent act (attribute `recurrent` true, e.g. RecurrentAct) is called as
    act(obs, agents, starts): `agents` [n] numbers every agent of the evaluation, `starts`
    [n] is true where obs is the first observation of an episode.
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
    recurrent = getattr(act, "recurrent", False)
    starts = np.ones(num_lanes * per_env, dtype=bool)
    active = list(range(num_lanes))
    step = 0
    while active:
        if act is not None:
            obs = np.concatenate([lanes[i].observations for i in active])
            if recurrent:
                agents = np.concatenate([np.arange(i * per_env, (i + 1) * per_env)
                                         for i in active])
                actions = np.asarray(act(obs, agents, starts[agents]), dtype=np.int32)
            else:
                actions = np.asarray(act(obs), dtype=lanes[0].actions.dtype)
        finished = False
        for k, i in enumerate(active):
            lane = lanes[i]
            if act is None:
                lane.baseline_actions(out=lane.actions)
            else:
                lane.actions[...] = actions[k * per_env:(k + 1) * per_env]
            lane.step_unchecked()
            if recurrent:
                starts[i * per_env:(i + 1) * per_env] = lane.terminals | lane.truncations
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


def evaluate_target(name, act, target, max_score, episodes=100, seed=0):
    """Evaluates `act` for a config's [target] and checks it: once with the env's default
    params, or once per table of target["each_params"]. Returns (result, met, reasons);
    with several tables the result is the worst case's (lowest mean score and perf, a
    reason per case that misses) and holds every case's result under "cases"."""
    baseline = needs_baseline(target)
    cases = target.get("each_params") or [{}]
    results, reasons = [], []
    for params in cases:
        result = evaluate(name, act, episodes, seed, params, baseline=baseline)
        _, missing = target_met(result, target, max_score)
        label = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        reasons += [f"{label}: {r}" if label else r for r in missing]
        results.append(dict(result, params=params))
    if len(results) == 1:
        return results[0], not reasons, reasons
    worst = min(results, key=lambda r: (r["score_mean"], r["perf_mean"]))
    out = dict(worst, perf_mean=min(r["perf_mean"] for r in results), cases=results)
    out["eval_seconds"] = round(sum(r["eval_seconds"] for r in results), 2)
    return out, not reasons, reasons


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


class RecurrentAct:
    """A recurrent act(obs, agents, starts) -> argmax actions, for run_episodes().

    `step(obs, h, c) -> (logits, h, c)` (numpy) is one policy step; the h and c of every
    agent are kept here and zeroed where an episode starts."""
    recurrent = True

    def __init__(self, step, state_size):
        self.step = step
        self.h = np.zeros((0, state_size), dtype=np.float32)
        self.c = np.zeros((0, state_size), dtype=np.float32)

    def __call__(self, obs, agents, starts):
        need = int(agents.max()) + 1
        if need > len(self.h):
            grow = np.zeros((need - len(self.h), self.h.shape[1]), dtype=np.float32)
            self.h, self.c = np.concatenate([self.h, grow]), np.concatenate([self.c, grow])
        h, c = self.h[agents], self.c[agents]
        h[starts] = 0.0
        c[starts] = 0.0
        logits, h, c = self.step(obs, h, c)
        self.h[agents], self.c[agents] = h, c
        return np.asarray(logits).argmax(axis=1).astype(np.int32)


def mean_actions(mean, low, high):
    """A Gaussian policy's deterministic actions: its means clipped into the bounds."""
    return np.clip(np.asarray(mean, dtype=np.float32), np.asarray(low, dtype=np.float32),
                   np.asarray(high, dtype=np.float32))


def torch_act(policy, device="cpu"):
    """act() for a torch Policy: argmax of the logits, no gradients (a RecurrentAct for
    an LSTM policy; for continuous actions the means, clipped into the spec's bounds)."""
    import torch

    if policy.continuous:
        def act_mean(obs):
            with torch.inference_mode():
                mean = policy(torch.from_numpy(obs).to(device))[0]
            return mean_actions(mean.cpu().numpy(), policy.action_low.cpu().numpy(),
                                policy.action_high.cpu().numpy())
        return act_mean

    if policy.recurrent:
        def step(obs, h, c):
            with torch.inference_mode():
                logits, _, h, c = policy(*(torch.from_numpy(x).to(device) for x in (obs, h, c)))
            return logits.cpu().numpy(), h.cpu().numpy(), c.cpu().numpy()
        return RecurrentAct(step, policy.lstm_size)

    def act(obs):
        with torch.inference_mode():
            logits, _ = policy(torch.from_numpy(obs).to(device))
        return logits.argmax(dim=1).to(torch.int32).cpu().numpy()
    return act
