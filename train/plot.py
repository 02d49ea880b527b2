"""The training curve PNG: episode score (train, sampled actions) and eval score vs steps."""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _floats(rows, key):
    xs, ys = [], []
    for row in rows:
        value = row.get(key, "")
        if value in ("", None):
            continue
        value = float(value)
        if math.isfinite(value):
            xs.append(float(row["global_step"]))
            ys.append(value)
    return xs, ys


def _train_and_eval(ax, rows, key, train_label, eval_label, target_value, ylabel):
    """One panel: the training curve of `key`, the eval points, the target line if any."""
    x, y = _floats(rows, key)
    ax.plot(x, y, lw=1, alpha=0.7, label=train_label)
    x, y = _floats(rows, "eval_" + key)
    ax.plot(x, y, "o-", ms=4, label=eval_label)
    if target_value is not None:
        ax.axhline(target_value, color="gray", ls="--", lw=1, label="target")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


def plot_curve(rows, path, title="training", target=None):
    """Writes `path` (PNG) from metrics rows (dicts with global_step, score, perf, ...)."""
    fig, (ax_score, ax_perf, ax_reward) = plt.subplots(3, 1, figsize=(8, 8), sharex=True)
    target = target or {}
    _train_and_eval(ax_score, rows, "score", "train episodes (sampled)", "eval (argmax)",
                    target.get("min_score"), "episode score")
    ax_score.legend(loc="lower right", fontsize=8)
    _train_and_eval(ax_perf, rows, "perf", "train", "eval", target.get("min_perf"), "perf")
    x, y = _floats(rows, "reward_rate")
    ax_reward.plot(x, y, lw=1)
    ax_reward.set_ylabel("reward per step\n(rollouts)")
    ax_reward.grid(alpha=0.3)
    ax_reward.set_xlabel("agent steps")
    ax_perf.legend(loc="lower right", fontsize=8)
    if rows:
        last = rows[-1]
        title += f"  ({float(last['global_step']) / 1e6:.1f}M steps, " \
                 f"{float(last['wall_time']) / 60:.1f} min)"
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
