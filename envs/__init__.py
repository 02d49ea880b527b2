"""ShiftPlay environments: C envs stepped many at a time over numpy buffers.

    import envs
    envs.list()                                   # ['breakout', 'pong', 'snake']
    env = envs.make("pong", num_envs=1024, seed=0)
    env.reset()
    env.step(actions)                             # int32, one per agent
    env.observations, env.rewards, env.terminals, env.truncations
"""
import importlib

from envs.discover import env_names
from envs.vector import VecEnv


def list():  # noqa: A001 - the public name asked for by the API
    """Names of the envs (envs/<name>/<name>.h + <name>_render.h: envs/discover.py)."""
    return env_names()


def module(name):
    """The compiled binding of env `name`; clear errors for unknown or unbuilt envs."""
    if not isinstance(name, str) or name not in list():
        raise ValueError(f"unknown env {name!r}; available: {', '.join(list())}")
    try:
        return importlib.import_module(f"envs.{name}._env")
    except ImportError as e:
        raise ImportError(f"env {name!r} is not compiled ({e}); run `make build`") from e


def spec(name):
    """Static description of env `name`: observation layout, actions, params, texts."""
    return module(name).spec()


def make(name, num_envs=1, seed=0, autoreset=True, **params):
    """A vector of `num_envs` copies of env `name`, reset with `seed`."""
    return VecEnv(name, module(name), num_envs=num_envs, seed=seed, autoreset=autoreset,
                  **params)
