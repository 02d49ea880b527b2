"""Training configs: one TOML file per env in train/configs/<env>.toml.

A config file only needs the keys it changes; everything else comes from DEFAULTS.
Unknown keys are an error (a typo must not silently fall back to a default).
"""
import copy
import os
import tomllib

CONFIG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")

DEFAULTS = {
    "env": "",
    "seed": 1,
    "total_steps": 10_000_000,   # agent steps (env steps x agents per env)
    "threads": 1,                # torch threads: 1 is fastest for these small nets
                                 # while the env steps (single-threaded) and other
                                 # processes share the cores
    "env_params": {},            # passed to envs.make for training only
    "env_mix": [],               # optional: train on several env variants at once, a
                                 # list of {num_envs, env_params} tables (env_params over
                                 # the ones above), e.g. self-play next to games against
                                 # scripted opponents; replaces ppo.num_envs
    "ppo": {
        "num_envs": 1024,        # env instances stepped together
        "num_steps": 64,         # rollout length per update
        "learning_rate": 2.5e-4,
        "anneal_lr": True,       # linear decay to 0 over total_steps
        "gamma": 0.99,
        "gae_lambda": 0.95,
        "num_minibatches": 4,
        "update_epochs": 4,
        "norm_adv": True,
        "clip_coef": 0.2,
        "clip_vloss": False,
        "ent_coef": 0.01,
        "vf_coef": 0.5,
        "max_grad_norm": 0.5,
        "target_kl": 0.0,        # > 0: stop an update's epochs early past this KL
        "reward_scale": 1.0,
        "life_obs": "",          # obs label counting lives (breakout: "balls_left"): a
                                 # step where it drops, inside an episode, is a lost life
        "life_loss_reward": 0.0, # added to the (scaled) reward of a lost life's step
        "reset_every": 0,        # > 0: reset every env (fresh games) every this many
                                 # updates, so training also sees the start of a game
                                 # (snake: evaluation counts the first lives after reset)
    },
    "policy": {
        "hidden": 128,
        "layers": 2,
        "conv_channels": [],     # grids only: 3x3 conv layers before the MLP
        "center_obs": False,     # float obs only: subtract the mean observation at reset
        "lstm": 0,               # > 0: an LSTM cell of this many units after the encoder
    },
    "eval": {
        "episodes": 100,         # deterministic (argmax) episodes per in-training eval
        "seed": 1_000_000,       # in-training evals use other seeds than train.evaluate
        "interval_s": 120.0,     # wall-clock seconds between in-training evals
        "stop_at_target": True,  # end training at the first eval that meets [target]
    },
    "target": {
        "min_score": None,              # mean episode score
        "min_perf": None,               # mean perf (pong: win rate)
        "min_score_fraction": None,     # mean score >= this x spec max_score
        "min_baseline_ratio": None,     # mean score >= this x scripted baseline mean
        "min_baseline_margin": None,    # mean score >= scripted baseline mean + this (for
                                        # scores that may be negative, e.g. a return)
        # The target must hold under each of these env-param tables, evaluated apart
        # (e.g. [{agent_first = 0}, {agent_first = 1}]: each side of a board game);
        # empty: once, with the env's default params.
        "each_params": [],
    },
    "checkpoint_interval_s": 60.0,
}


def _merge(base, override, where):
    out = copy.deepcopy(base)
    for key, value in override.items():
        if key not in base:
            raise ValueError(f"unknown config key {where}{key!r}; known: "
                             f"{', '.join(sorted(base))}")
        if key == "env_mix":
            out[key] = _check_mix(value, where)
        elif key == "each_params":
            out[key] = _check_params_list(value, f"{where}each_params")
        elif isinstance(base[key], dict) and key != "env_params":
            if not isinstance(value, dict):
                raise ValueError(f"config key {where}{key!r} must be a table")
            out[key] = _merge(base[key], value, f"{where}{key}.")
        else:
            out[key] = value
    return out


def _check_params(params, where):
    """An env-param table ({name = int, ...}), as a dict."""
    if not isinstance(params, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in params.values()):
        raise ValueError(f"{where} must be a table of env params (name = int)")
    return dict(params)


def _check_mix(value, where):
    """env_mix must be a list of {num_envs >= 1, env_params = {...}} tables."""
    if not isinstance(value, list):
        raise ValueError(f"config key {where}'env_mix' must be a list of tables")
    mix = []
    for i, group in enumerate(value):
        if not isinstance(group, dict) or set(group) - {"num_envs", "env_params"}:
            raise ValueError(f"{where}env_mix[{i}] must be a table with keys num_envs and "
                             f"env_params")
        num = group.get("num_envs")
        if isinstance(num, bool) or not isinstance(num, int) or num < 1:
            raise ValueError(f"{where}env_mix[{i}].num_envs must be an int >= 1")
        params = _check_params(group.get("env_params", {}), f"{where}env_mix[{i}].env_params")
        mix.append({"num_envs": num, "env_params": params})
    return mix


def _check_params_list(value, where):
    """A list of env-param tables."""
    if not isinstance(value, list):
        raise ValueError(f"config key {where} must be a list of env-param tables")
    return [_check_params(params, f"{where}[{i}]") for i, params in enumerate(value)]


def config_path(env_name):
    return os.path.join(CONFIG_DIR, f"{env_name}.toml")


def load_config(env_name=None, path=None):
    """The full config for an env (train/configs/<env>.toml merged over DEFAULTS)."""
    if path is None:
        if not env_name:
            raise ValueError("need an env name or a config path")
        path = config_path(env_name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no training config {path} (one TOML file per env in "
                                f"{CONFIG_DIR})")
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    cfg = _merge(DEFAULTS, raw, "")
    if env_name and cfg["env"] and cfg["env"] != env_name:
        raise ValueError(f"{path} is a config for {cfg['env']!r}, not {env_name!r}")
    cfg["env"] = cfg["env"] or env_name
    return cfg


def available_configs():
    return sorted(f[:-5] for f in os.listdir(CONFIG_DIR) if f.endswith(".toml"))


def needs_baseline(target):
    """True if the [target] table compares with the scripted baseline's mean score."""
    return (target.get("min_baseline_ratio") is not None
            or target.get("min_baseline_margin") is not None)


def target_met(result, target, max_score=0.0):
    """(met, reasons): checks an evaluation result against a config's [target] table.

    `result` is the dict train.evaluate returns (mean score, perf_mean, baseline_mean).
    """
    reasons = []
    score = result["score_mean"]
    if target.get("min_score") is not None and score < target["min_score"]:
        reasons.append(f"mean score {score:.2f} < {target['min_score']}")
    if target.get("min_perf") is not None and result["perf_mean"] < target["min_perf"]:
        reasons.append(f"mean perf {result['perf_mean']:.3f} < {target['min_perf']}")
    if target.get("min_score_fraction") is not None:
        need = target["min_score_fraction"] * max_score
        if score < need:
            reasons.append(f"mean score {score:.2f} < {target['min_score_fraction']} x "
                           f"max score {max_score:g} = {need:.1f}")
    ratio, margin = target.get("min_baseline_ratio"), target.get("min_baseline_margin")
    base = result.get("baseline_mean")
    if needs_baseline(target) and base is None:
        reasons.append("baseline mean unknown")
    if base is not None and ratio is not None and score < ratio * base:
        reasons.append(f"mean score {score:.2f} < {ratio} x baseline {base:.2f}")
    if base is not None and margin is not None and score < base + margin:
        reasons.append(f"mean score {score:.2f} < baseline {base:.2f} + {margin}")
    return not reasons, reasons
