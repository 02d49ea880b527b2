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


def plot_curve(rows, path, title="training", target=None):
    """Writes `path` (PNG) from metrics rows (dicts with global_step, score, perf, ...)."""
    fig, (ax_score, ax_perf, ax_reward) = plt.subplots(3, 1, figsize=(8, 8), sharex=True)
    x, y = _floats(rows, "score")
    ax_score.plot(x, y, lw=1, alpha=0.7, label="train episodes (sampled)")
    x, y = _floats(rows, "eval_score")
    ax_score.plot(x, y, "o-", ms=4, label="eval (argmax)")
    if target and target.get("min_score") is not None:
        ax_score.axhline(target["min_score"], color="gray", ls="--", lw=1, label="target")
    ax_score.set_ylabel("episode score")
    ax_score.legend(loc="lower right", fontsize=8)
    ax_score.grid(alpha=0.3)
    x, y = _floats(rows, "perf")
    ax_perf.plot(x, y, lw=1, alpha=0.7, label="train")
    x, y = _floats(rows, "eval_perf")
    ax_perf.plot(x, y, "o-", ms=4, label="eval")
    if target and target.get("min_perf") is not None:
        ax_perf.axhline(target["min_perf"], color="gray", ls="--", lw=1, label="target")
    ax_perf.set_ylabel("perf")
    x, y = _floats(rows, "reward_rate")
    ax_reward.plot(x, y, lw=1)
    ax_reward.set_ylabel("reward per step\n(rollouts)")
    ax_reward.grid(alpha=0.3)
    ax_reward.set_xlabel("agent steps")
    ax_perf.grid(alpha=0.3)
    ax_perf.legend(loc="lower right", fontsize=8)
    if rows:
        last = rows[-1]
        title += f"  ({float(last['global_step']) / 1e6:.1f}M steps, " \
                 f"{float(last['wall_time']) / 60:.1f} min)"
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
