"""Run bookkeeping around the PPO loop: resume, evaluation and the best checkpoint,
metrics.csv, TensorBoard events, curve.png, the live progress display, the wall-clock
budget. Under torchrun only rank 0 writes or prints anything; every rank loads a resumed
checkpoint and agrees on when to stop.

Files in the run folder (runs/<env> by default):
    checkpoint.pt   latest state (weights, optimizer, RNG, counters): --resume continues it
    best.pt         the checkpoint of the best in-training evaluation (what export takes)
    metrics.csv     one row per update (CSV_FIELDS); curve.png plots it
    tb/             TensorBoard events (`tensorboard --logdir runs`), CleanRL's tag names
"""
import csv
import hashlib
import math
import os
import time

import torch

from train import checkpoint
from train.config import needs_baseline, target_met
from train.evaluate import baseline_summary, evaluate, torch_act
from train.plot import plot_curve

CSV_FIELDS = ["update", "global_step", "wall_time", "sps", "reward_rate", "episodes",
              "episode_return",
              "episode_length", "score", "perf", "learning_rate", "policy_loss",
              "value_loss", "entropy", "approx_kl", "clipfrac", "explained_variance",
              "eval_score", "eval_perf"]
# metrics.csv column -> TensorBoard tag (CleanRL's names where it has one).
TB_TAGS = {"learning_rate": "charts/learning_rate", "sps": "charts/SPS",
           "episode_return": "charts/episodic_return",
           "episode_length": "charts/episodic_length", "score": "charts/score",
           "perf": "charts/perf", "reward_rate": "charts/reward_rate",
           "policy_loss": "losses/policy_loss", "value_loss": "losses/value_loss",
           "entropy": "losses/entropy", "approx_kl": "losses/approx_kl",
           "clipfrac": "losses/clipfrac", "explained_variance": "losses/explained_variance",
           "eval_score": "eval/score", "eval_perf": "eval/perf"}
NON_TTY_EVERY_S = 15.0


def format_eta(seconds):
    if not math.isfinite(seconds):
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """A rich progress bar on a terminal; a plain line every 15 s otherwise (log files)."""

    def __init__(self, stream, title, total_steps):
        from rich.console import Console
        from rich.progress import (BarColumn, Progress as Bar, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        self.console = Console(file=stream, highlight=False)
        self.bar = None
        self.last = 0.0
        if self.console.is_terminal:
            self.bar = Bar(TextColumn("{task.description}"), BarColumn(),
                           TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(),
                           TextColumn("ETA"), TimeRemainingColumn(),
                           TextColumn("{task.fields[info]}"), console=self.console)
            self.task = self.bar.add_task(title, total=total_steps, info="")
            self.bar.start()

    def show(self, steps, info):
        if self.bar is not None:
            self.bar.update(self.task, completed=steps, info=info)
        elif time.perf_counter() - self.last >= NON_TTY_EVERY_S:
            self.last = time.perf_counter()
            self.console.print(info, markup=False, soft_wrap=True)

    def message(self, text):
        self.console.print(text, markup=False, soft_wrap=True)

    def stop(self):
        if self.bar is not None:
            self.bar.stop()


class Run:
    """Everything about one training run except the PPO math (train/ppo.py)."""

    def __init__(self, cfg, out_dir, env, policy, optimizer, learners, total_steps,
                 resume=False, stream=None, minutes=None):
        self.cfg, self.out_dir, self.env_name = cfg, out_dir, cfg["env"]
        self.spec, self.policy, self.optimizer = env.spec, policy, optimizer
        self.learners, self.main = learners, learners.is_main
        self.total_steps = total_steps
        self.budget_s = None if minutes is None else 60.0 * minutes
        self.eval_cfg, self.target = cfg["eval"], cfg["target"]
        self.paths = {name: os.path.join(out_dir, file) for name, file in (
            ("ckpt", "checkpoint.pt"), ("best", "best.pt"), ("csv", "metrics.csv"),
            ("png", "curve.png"), ("tb", "tb"))}
        self.state = {"update": 0, "global_step": 0, "wall_time": 0.0, "best_eval": None,
                      "last_eval": None, "first_target": None, "evals": []}
        self.progress = Progress(stream, f"{self.env_name} PPO", total_steps) \
            if self.main else None
        if resume:
            self._resume()
        if learners.world > 1:  # per-rank sampling noise (rank 0 keeps the plain seed)
            torch.manual_seed(cfg["seed"] + learners.rank + 7919 * self.update)
        self.rows, self.writer, self.baseline = [], None, None
        if self.main:
            os.makedirs(out_dir, exist_ok=True)
            # Metrics rows up to the checkpoint (rows written after it are replayed anew).
            if resume:
                self.rows = [r for r in read_csv(self.paths["csv"])
                             if int(r["global_step"]) <= self.global_step]
            write_csv(self.paths["csv"], self.rows)
            from torch.utils.tensorboard import SummaryWriter
            self.writer = SummaryWriter(self.paths["tb"], purge_step=self.global_step or None)
            if not resume:
                self.writer.add_text("config", "```\n" + repr(cfg) + "\n```")
            # Baseline score on the eval seeds, only if the target is relative to it.
            if needs_baseline(self.target):
                self.baseline = baseline_summary(self.env_name, self.eval_cfg["episodes"],
                                                 self.eval_cfg["seed"])
        self.start = time.perf_counter()
        self.wall_offset = self.state["wall_time"]
        self.last_eval_time = self.last_ckpt_time = self.start
        self.episode_stats = {}
        self.recent_sps = 0.0
        self.stop_reason = "total_steps reached"

    @property
    def update(self):
        return self.state["update"]

    @property
    def global_step(self):
        return self.state["global_step"]

    def wall(self):
        return self.wall_offset + time.perf_counter() - self.start

    def _resume(self):
        path = self.paths["ckpt"]
        if not os.path.isfile(path):
            raise FileNotFoundError(f"--resume: no checkpoint at {path}")
        ckpt = checkpoint.read(path, self.learners.device)
        checkpoint.check_spec(ckpt["spec"], self.spec, where=f"checkpoint {path}")
        self.policy.load_state_dict(ckpt["policy"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        for key in self.state:
            self.state[key] = ckpt.get(key, self.state[key])
        torch.set_rng_state(ckpt["torch_rng"])
        if self.main:
            self.progress.message(f"resumed {path} at step {self.global_step:,}")

    def save(self, path):
        checkpoint.save(path, **{**self.state, "wall_time": self.wall()},
                        policy=self.policy.state_dict(),
                        optimizer=self.optimizer.state_dict(), config=self.cfg,
                        spec=self.spec, torch_rng=torch.get_rng_state(),
                        torch_version=torch.__version__)

    def evaluate(self):
        """100 argmax episodes on the eval seeds; keeps best.pt. Returns target met."""
        self.policy.eval()
        result = evaluate(self.env_name, torch_act(self.policy, self.learners.device),
                          self.eval_cfg["episodes"], self.eval_cfg["seed"], baseline=False)
        self.policy.train()
        if self.baseline is not None:
            result["baseline_mean"] = self.baseline["score_mean"]
        met, reasons = target_met(result, self.target, self.spec["max_score"])
        result.update(global_step=self.global_step, wall_time=round(self.wall(), 1),
                      target_met=met, target_missing=reasons)
        self.state["last_eval"] = result
        if met and self.state["first_target"] is None:
            self.state["first_target"] = {"global_step": self.global_step,
                                          "wall_time": result["wall_time"]}
        self.state["evals"].append(result)
        best = self.state["best_eval"]
        if best is None or (met, result["score_mean"], result["perf_mean"]) > (
                best["target_met"], best["score_mean"], best["perf_mean"]):
            self.state["best_eval"] = result
            self.save(self.paths["best"])
        self.progress.message(
            f"eval @ {self.global_step:,} steps, {format_eta(self.wall())}: score "
            f"{result['score_mean']:.2f} +- {result['score_std']:.2f}, perf "
            f"{result['perf_mean']:.3f}, length {result['length_mean']:.0f}"
            + ("  TARGET MET" if met else f"  ({'; '.join(reasons)})"))
        return met

    def end_update(self, batch_size, seconds, stats, timer, log):
        """Books one finished update; returns True when training should stop now."""
        self.state["update"] += 1
        self.state["global_step"] += batch_size
        if log:
            self.episode_stats = log
        self.recent_sps = batch_size / seconds
        over_budget = self.budget_s is not None and \
            time.perf_counter() - self.start >= self.budget_s
        met = False
        if self.main:
            met = self._log_update(stats, timer, log, over_budget)
        stop_at_target = met and self.eval_cfg["stop_at_target"]
        if not self.learners.any(stop_at_target or over_budget):
            return False
        self.stop_reason = "target met" if stop_at_target else \
            f"time budget of {self.budget_s / 60:g} min used" if over_budget else \
            "another learner stopped"
        return True

    def _log_update(self, stats, timer, log, over_budget):
        row = {"update": self.update, "global_step": self.global_step,
               "wall_time": round(self.wall(), 2), "sps": round(self.recent_sps),
               "episodes": int(log.get("n", 0)), **stats}
        for key in ("episode_return", "episode_length", "score", "perf"):
            row[key] = log.get(key, "")
        now = time.perf_counter()
        met = False
        if (now - self.last_eval_time >= self.eval_cfg["interval_s"]
                or self.global_step >= self.total_steps or over_budget):
            met = self.evaluate()
            row["eval_score"] = self.state["last_eval"]["score_mean"]
            row["eval_perf"] = self.state["last_eval"]["perf_mean"]
            self.last_eval_time = time.perf_counter()
        self.rows.append(row)
        append_csv(self.paths["csv"], row)
        for key, tag in TB_TAGS.items():
            value = row.get(key, "")
            if value != "" and value is not None:
                self.writer.add_scalar(tag, float(value), self.global_step)
        for key, seconds in timer.items():
            self.writer.add_scalar(f"time/{key}_s", seconds, self.global_step)
        if now - self.last_ckpt_time >= self.cfg["checkpoint_interval_s"] or met:
            self.save(self.paths["ckpt"])
            self.plot()
            self.last_ckpt_time = time.perf_counter()
        remaining = self.total_steps - self.global_step
        score = self.episode_stats.get("score", float("nan"))
        perf = self.episode_stats.get("perf", float("nan"))
        self.progress.show(self.global_step, (
            f"{self.env_name} {self.global_step / 1e6:.2f}M/{self.total_steps / 1e6:.2f}M "
            f"steps | {self.recent_sps / 1e3:.0f}k steps/s | score {score:.2f} perf "
            f"{perf:.3f} | elapsed {format_eta(self.wall())} ETA "
            f"{format_eta(remaining / max(self.recent_sps, 1))}"))
        return met

    def plot(self):
        plot_curve(self.rows, self.paths["png"], title=f"{self.env_name} PPO",
                   target=self.target)

    def finish(self):
        """Final checkpoint, plot and summary (rank 0); the summary dict on every rank."""
        summary = {"env": self.env_name, "stop_reason": self.stop_reason,
                   "global_step": self.global_step, "wall_time": round(self.wall(), 1),
                   "mean_sps": round(self.global_step / max(self.wall(), 1e-9)),
                   "last_sps": round(self.recent_sps), "threads": torch.get_num_threads(),
                   "device": str(self.learners.device), "learners": self.learners.world,
                   "rank": self.learners.rank, "first_target": self.state["first_target"],
                   "best_eval": self.state["best_eval"], "out_dir": self.out_dir,
                   "weights_sha256": weights_digest(self.policy)}
        if not self.main:
            return summary
        self.save(self.paths["ckpt"])
        self.plot()
        self.writer.close()
        self.progress.stop()
        self.progress.message(f"done ({self.stop_reason}): {self.global_step:,} steps in "
                              f"{format_eta(self.wall())}, {summary['mean_sps']:,} steps/s "
                              f"overall")
        return summary


def weights_digest(module):
    """sha256 of every parameter's bytes: equal on all learners of a run."""
    digest = hashlib.sha256()
    for tensor in module.state_dict().values():
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


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
