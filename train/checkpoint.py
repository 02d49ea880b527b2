"""Checkpoints (runs/<env>/checkpoint.pt, best.pt): what they hold and the one check that
a checkpoint still fits its env, shared by `--resume` and the export."""
import os

import torch

from train.policy import make_policy

# The env spec entries a trained policy depends on.
SPEC_KEYS = ("name", "obs_size", "obs_dtype", "obs_height", "obs_width", "obs_high",
             "num_actions", "action_kind", "action_dim", "action_low", "action_high")


# What a checkpoint saved before the action kinds existed had: discrete actions.
ACTION_DEFAULTS = {"action_kind": "discrete", "action_dim": 1, "action_low": None,
                   "action_high": None}


def check_spec(saved, current, where="checkpoint"):
    """Raises ValueError if a checkpoint's env spec no longer matches the env."""
    for key in SPEC_KEYS:
        default = ACTION_DEFAULTS.get(key)
        have, want = saved.get(key, default), current.get(key, default)
        if have != want:
            raise ValueError(f"{where} was trained with {key}={have!r} but env "
                             f"{current.get('name')!r} has {key}={want!r}")


def save(path, **content):
    """Writes a checkpoint atomically (a crash mid-write keeps the previous file)."""
    tmp = path + ".tmp"
    torch.save(content, tmp)
    os.replace(tmp, path)


def read(path, device="cpu"):
    """The checkpoint dict; ValueError if the file is missing or unreadable."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        return torch.load(path, map_location=device, weights_only=False)
    except Exception as e:
        raise ValueError(f"cannot read checkpoint {path}: {e}") from e


def load_policy(path, spec, device="cpu"):
    """(policy in eval mode, checkpoint dict) for env `spec`; ValueError on a misfit."""
    ckpt = read(path, device)
    check_spec(ckpt.get("spec") or {}, spec, where=f"checkpoint {path}")
    policy = make_policy(spec, ckpt["config"]["policy"]).to(device)
    policy.load_state_dict(ckpt["policy"])
    policy.eval()
    return policy, ckpt
