"""PPO on a native ShiftPlay vector env, in one readable file (after CleanRL's ppo.py).

One update = a rollout of `num_steps` steps from every agent of `num_envs` envs, GAE
advantages, then `update_epochs` passes of clipped-objective minibatch SGD. "Steps" are
agent steps everywhere (env steps x agents per env). Episodes that end by truncation are
treated like terminations (the C env autoresets and keeps no final observation).
"""
import csv
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

from train.config import target_met
from train.evaluate import baseline_summary, evaluate, torch_act
from train.mixed import make_train_env
from train.plot import plot_curve
from train.policy import make_policy

CSV_FIELDS = ["update", "global_step", "wall_time", "sps", "reward_rate", "episodes",
              "episode_return",
              "episode_length", "score", "perf", "learning_rate", "policy_loss",
              "value_loss", "entropy", "approx_kl", "clipfrac", "explained_variance",
              "eval_score", "eval_perf"]


def pick_device(name=None):
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Progress:
    """One live status line on stderr (rewritten in place on a terminal)."""

    def __init__(self, stream=sys.stderr, every_s=1.0):
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.every_s = every_s if self.tty else 15.0
        self.last = 0.0

    def show(self, text, force=False):
        now = time.perf_counter()
        if not force and now - self.last < self.every_s:
            return
        self.last = now
        if self.tty:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def message(self, text):
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()


def sample_actions(logits):
    """Samples one action per row of logits (Gumbel-max: argmax(logits + Gumbel noise),
    the same distribution as Categorical(logits).sample(), but a few times faster)."""
    noise = torch.empty_like(logits).exponential_().log_()   # -Gumbel noise
    return (logits - noise).argmax(dim=1)


def format_eta(seconds):
    if not math.isfinite(seconds):
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def train(cfg, out_dir, resume=False, device=None, stream=sys.stderr):
    """Trains the config's env; writes checkpoints, metrics.csv and curve.png to out_dir.

    Returns a summary dict (steps, wall time, steps/s, last and best eval)."""
    ppo = cfg["ppo"]
    os.makedirs(out_dir, exist_ok=True)
    ckpt_path = os.path.join(out_dir, "checkpoint.pt")
    best_path = os.path.join(out_dir, "best.pt")
    csv_path = os.path.join(out_dir, "metrics.csv")
    png_path = os.path.join(out_dir, "curve.png")
    threads = cfg["threads"] or 1
    torch.set_num_threads(threads)
    device = pick_device(device)
    progress = Progress(stream)

    # --- env, policy, optimizer -------------------------------------------------------
    env = make_train_env(cfg)
    spec = env.spec
    n = env.num_agents
    T = ppo["num_steps"]
    batch_size = n * T
    minibatch_size = batch_size // ppo["num_minibatches"]
    num_updates = max(1, cfg["total_steps"] // batch_size)
    torch.manual_seed(cfg["seed"])
    policy = make_policy(spec, cfg["policy"]).to(device)
    if getattr(policy, "center_obs", False):
        policy.set_obs_offset(env.observations)   # freshly reset envs (resume: overwritten)
    optimizer = torch.optim.Adam(policy.parameters(), lr=ppo["learning_rate"], eps=1e-5)

    state = {"update": 0, "global_step": 0, "wall_time": 0.0, "best_eval": None,
             "last_eval": None, "first_target": None, "evals": []}
    if resume:
        if not os.path.isfile(ckpt_path):
            raise FileNotFoundError(f"--resume: no checkpoint at {ckpt_path}")
        ckpt = torch.load(ckpt_path, map_location=device, weights_only=False)
        check_spec(ckpt["spec"], spec)
        policy.load_state_dict(ckpt["policy"])
        optimizer.load_state_dict(ckpt["optimizer"])
        for key in state:
            state[key] = ckpt.get(key, state[key])
        torch.set_rng_state(ckpt["torch_rng"])
        env.reset(cfg["seed"] + 7919 * state["update"])  # fresh episodes, new seeds
        progress.message(f"resumed {ckpt_path} at step {state['global_step']:,}")
    # Metrics rows up to the checkpoint (rows written after it are replayed anew).
    rows = [r for r in read_csv(csv_path) if int(r["global_step"]) <= state["global_step"]
            ] if resume else []
    write_csv(csv_path, rows)

    # Baseline score on the eval seeds, only if the target is relative to it.
    eval_cfg, target = cfg["eval"], cfg["target"]
    baseline = None
    if target.get("min_baseline_ratio") is not None:
        baseline = baseline_summary(cfg["env"], eval_cfg["episodes"], eval_cfg["seed"])

    # --- rollout storage (obs kept in the env's own dtype: uint8 grids stay small) -----
    obs_dtype = torch.uint8 if spec["obs_dtype"] == "uint8" else torch.float32
    obs = torch.zeros((T, n, spec["obs_size"]), dtype=obs_dtype)
    actions = torch.zeros((T, n), dtype=torch.long)
    logprobs = torch.zeros((T, n))
    rewards = torch.zeros((T, n))
    dones = torch.zeros((T, n))
    values = torch.zeros((T, n))
    # Zero-copy views of the env's numpy buffers (C writes into them on every step).
    env_obs = torch.from_numpy(env.observations)
    env_actions = torch.from_numpy(env.actions)
    env_rewards = torch.from_numpy(env.rewards)
    env_done = np.zeros(n, dtype=np.bool_)
    next_done = torch.zeros(n)
    # Optional lost-life penalty: the env's lives counter is one of its observations.
    life_index = None
    if ppo["life_obs"]:
        labels = list(spec.get("obs_labels") or [])
        if ppo["life_obs"] not in labels:
            raise ValueError(f"life_obs {ppo['life_obs']!r} is not an observation label of "
                             f"{cfg['env']!r}")
        life_index = labels.index(ppo["life_obs"])
    lives_lost = torch.zeros((T, n))

    start = time.perf_counter()
    wall_offset = state["wall_time"]
    last_eval_time = start
    last_ckpt_time = start
    recent_sps = 0.0
    episode_stats = {}
    stop_reason = "total_steps reached"

    def wall():
        return wall_offset + time.perf_counter() - start

    def save(path):
        tmp = path + ".tmp"
        torch.save({"policy": policy.state_dict(), "optimizer": optimizer.state_dict(),
                    "config": cfg, "spec": spec, "torch_rng": torch.get_rng_state(),
                    "torch_version": torch.__version__, **state,
                    "wall_time": wall()}, tmp)
        os.replace(tmp, path)

    def run_eval():
        policy.eval()
        result = evaluate(cfg["env"], torch_act(policy, device), eval_cfg["episodes"],
                          eval_cfg["seed"], baseline=False)
        policy.train()
        if baseline is not None:
            result["baseline_mean"] = baseline["score_mean"]
        met, reasons = target_met(result, target, spec["max_score"])
        result.update(global_step=state["global_step"], wall_time=round(wall(), 1),
                      target_met=met, target_missing=reasons)
        state["last_eval"] = result
        if met and state["first_target"] is None:
            state["first_target"] = {"global_step": state["global_step"],
                                     "wall_time": result["wall_time"]}
        state["evals"].append(result)
        best = state["best_eval"]
        if best is None or (met, result["score_mean"], result["perf_mean"]) > (
                best["target_met"], best["score_mean"], best["perf_mean"]):
            state["best_eval"] = result
            save(best_path)
        progress.message(
            f"eval @ {state['global_step']:,} steps, {format_eta(wall())}: score "
            f"{result['score_mean']:.2f} +- {result['score_std']:.2f}, perf "
            f"{result['perf_mean']:.3f}, length {result['length_mean']:.0f}"
            + ("  TARGET MET" if met else f"  ({'; '.join(reasons)})"))
        return met

    # --- the training loop ------------------------------------------------------------
    while state["update"] < num_updates:
        update_start = time.perf_counter()
        if ppo["anneal_lr"]:
            frac = 1.0 - state["update"] / num_updates
            optimizer.param_groups[0]["lr"] = frac * ppo["learning_rate"]

        # Optional fresh games: every env restarts (the episodes in progress end as if
        # truncated: the last update already bootstrapped them from their value).
        if ppo["reset_every"] and state["update"] > 0 and state["update"] % ppo["reset_every"] == 0:
            env.reset(cfg["seed"] + 7919 * state["update"])
            next_done = torch.ones(n)

        # Rollout: T steps of every agent, sampling from the current policy.
        policy.eval()
        for t in range(T):
            obs[t].copy_(env_obs)
            dones[t] = next_done
            with torch.inference_mode():
                logits, value = policy(obs[t].to(device))
                action = sample_actions(logits)
                logprobs[t] = torch.log_softmax(logits, dim=1).gather(
                    1, action.unsqueeze(1)).squeeze(1).cpu()
            values[t] = value.cpu()
            actions[t] = action.cpu()
            env_actions.copy_(actions[t])          # int64 -> the env's int32 buffer
            if life_index is not None:
                lives_before = env_obs[:, life_index].clone()
            env.step_unchecked()
            rewards[t] = env_rewards
            np.logical_or(env.terminals, env.truncations, out=env_done)
            next_done = torch.from_numpy(env_done).float()
            if life_index is not None:
                lives_lost[t] = ((env_obs[:, life_index] < lives_before).float()
                                 * (1.0 - next_done))
        policy.train()
        reward_rate = rewards.mean().item()  # mean reward per agent step (unscaled)
        if ppo["reward_scale"] != 1.0:
            rewards.mul_(ppo["reward_scale"])
        if life_index is not None and ppo["life_loss_reward"]:
            rewards.add_(lives_lost * ppo["life_loss_reward"])
        state["global_step"] += batch_size

        # GAE: advantages from the rollout and a bootstrap value of the next state.
        with torch.no_grad():
            next_value = policy(env_obs.to(device))[1].cpu()
            advantages = torch.zeros_like(rewards)
            lastgaelam = torch.zeros(n)
            for t in reversed(range(T)):
                if t == T - 1:
                    next_nonterminal = 1.0 - next_done
                    next_values = next_value
                else:
                    next_nonterminal = 1.0 - dones[t + 1]
                    next_values = values[t + 1]
                delta = rewards[t] + ppo["gamma"] * next_values * next_nonterminal - values[t]
                lastgaelam = delta + (ppo["gamma"] * ppo["gae_lambda"] * next_nonterminal
                                      * lastgaelam)
                advantages[t] = lastgaelam
            returns = advantages + values

        # Flatten the batch.
        b_obs = obs.reshape(batch_size, -1).to(device)
        b_logprobs = logprobs.reshape(-1).to(device)
        b_actions = actions.reshape(-1).to(device)
        b_advantages = advantages.reshape(-1).to(device)
        b_returns = returns.reshape(-1).to(device)
        b_values = values.reshape(-1).to(device)

        # Optimize the clipped surrogate objective, value loss and entropy bonus.
        clipfracs = []
        for epoch in range(ppo["update_epochs"]):
            perm = torch.randperm(batch_size, device=device)
            for mb_start in range(0, batch_size, minibatch_size):
                mb = perm[mb_start:mb_start + minibatch_size]
                logits, newvalue = policy(b_obs[mb])
                log_probs = torch.log_softmax(logits, dim=1)
                newlogprob = log_probs.gather(1, b_actions[mb].unsqueeze(1)).squeeze(1)
                entropy = -(log_probs.exp() * log_probs).sum(dim=1)
                logratio = newlogprob - b_logprobs[mb]
                ratio = logratio.exp()
                with torch.no_grad():
                    approx_kl = ((ratio - 1) - logratio).mean()  # http://joschu.net/blog/kl-approx.html
                    clipfracs.append(((ratio - 1.0).abs() > ppo["clip_coef"]).float().mean())

                mb_adv = b_advantages[mb]
                if ppo["norm_adv"]:
                    mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
                pg_loss = torch.max(-mb_adv * ratio, -mb_adv * torch.clamp(
                    ratio, 1 - ppo["clip_coef"], 1 + ppo["clip_coef"])).mean()

                if ppo["clip_vloss"]:
                    v_unclipped = (newvalue - b_returns[mb]) ** 2
                    v_clipped = b_values[mb] + torch.clamp(
                        newvalue - b_values[mb], -ppo["clip_coef"], ppo["clip_coef"])
                    v_loss = 0.5 * torch.max(v_unclipped, (v_clipped - b_returns[mb]) ** 2).mean()
                else:
                    v_loss = 0.5 * ((newvalue - b_returns[mb]) ** 2).mean()

                entropy_loss = entropy.mean()
                loss = pg_loss - ppo["ent_coef"] * entropy_loss + ppo["vf_coef"] * v_loss
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(policy.parameters(), ppo["max_grad_norm"])
                optimizer.step()
            if ppo["target_kl"] and approx_kl > ppo["target_kl"]:
                break

        y_pred, y_true = b_values.cpu().numpy(), b_returns.cpu().numpy()
        var_y = np.var(y_true)
        explained_var = np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y
        state["update"] += 1

        # Episode stats from the env's own log (means over episodes finished meanwhile).
        log = env.log()
        if log:
            episode_stats = log
        recent_sps = batch_size / (time.perf_counter() - update_start)
        row = {"update": state["update"], "global_step": state["global_step"],
               "wall_time": round(wall(), 2), "sps": round(recent_sps),
               "reward_rate": reward_rate,
               "episodes": int(log.get("n", 0)),
               "learning_rate": optimizer.param_groups[0]["lr"],
               "policy_loss": pg_loss.item(), "value_loss": v_loss.item(),
               "entropy": entropy_loss.item(), "approx_kl": approx_kl.item(),
               "clipfrac": torch.stack(clipfracs).mean().item(),
               "explained_variance": explained_var}
        for key in ("episode_return", "episode_length", "score", "perf"):
            row[key] = log.get(key, "")

        now = time.perf_counter()
        met = False
        if (now - last_eval_time >= eval_cfg["interval_s"]
                or state["update"] == num_updates):
            met = run_eval()
            row["eval_score"] = state["last_eval"]["score_mean"]
            row["eval_perf"] = state["last_eval"]["perf_mean"]
            last_eval_time = time.perf_counter()
        rows.append(row)
        append_csv(csv_path, row)
        if now - last_ckpt_time >= cfg["checkpoint_interval_s"] or met:
            save(ckpt_path)
            plot_curve(rows, png_path, title=f"{cfg['env']} PPO", target=target)
            last_ckpt_time = time.perf_counter()

        remaining = (num_updates - state["update"]) * batch_size
        score = episode_stats.get("score", float("nan"))
        perf = episode_stats.get("perf", float("nan"))
        progress.show(
            f"{cfg['env']} {state['global_step'] / 1e6:.2f}M/{num_updates * batch_size / 1e6:.2f}M "
            f"steps | {recent_sps / 1e3:.0f}k steps/s | score {score:.2f} perf {perf:.3f} | "
            f"elapsed {format_eta(wall())} ETA {format_eta(remaining / max(recent_sps, 1))}")
        if met and eval_cfg["stop_at_target"]:
            stop_reason = "target met"
            break

    env.close()
    save(ckpt_path)
    plot_curve(rows, png_path, title=f"{cfg['env']} PPO", target=target)
    summary = {"env": cfg["env"], "stop_reason": stop_reason,
               "global_step": state["global_step"], "wall_time": round(wall(), 1),
               "mean_sps": round(state["global_step"] / max(wall(), 1e-9)),
               "last_sps": round(recent_sps), "threads": threads, "device": str(device),
               "first_target": state["first_target"], "best_eval": state["best_eval"],
               "out_dir": out_dir}
    progress.message(f"done ({stop_reason}): {state['global_step']:,} steps in "
                     f"{format_eta(wall())}, {summary['mean_sps']:,} steps/s overall")
    return summary


def check_spec(saved, current):
    """Raises ValueError if a checkpoint's env spec no longer matches the env."""
    for key in ("name", "obs_size", "obs_dtype", "obs_height", "obs_width", "obs_high",
                "num_actions"):
        if saved.get(key) != current.get(key):
            raise ValueError(f"checkpoint was trained on {key}={saved.get(key)!r} but the "
                             f"env now has {key}={current.get(key)!r}")


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def append_csv(path, row):
    with open(path, "a", newline="") as f:
        csv.DictWriter(f, fieldnames=CSV_FIELDS).writerow(row)


def read_csv(path):
    if not os.path.isfile(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
