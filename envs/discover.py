"""The one rule for what an env is, used by every tool (Python, setup.py, the server,
the tests, and build_web.sh through `python3 envs/discover.py`):

    an env is a folder envs/<name>/ holding <name>.h (its logic) and <name>_render.h
    (its drawing and human input), where <name> is lowercase letters, digits and _,
    starting with a letter.

A folder with <name>.h but no <name>_render.h, or with a name the rule refuses, is an
error (BadEnv), never silently skipped. This file imports nothing from the project, so
setup.py and shell scripts can run it before anything is built.
"""
import keyword
import os
import re
import sys

ENVS_DIR = os.path.dirname(os.path.abspath(__file__))
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class BadEnv(ValueError):
    pass


def name_error(name):
    """Why `name` cannot be an env's name, or None if it can."""
    if not NAME.match(name):
        return (f"bad env name {name!r}: use lowercase letters, digits and _, starting "
                "with a letter (at most 64)")
    if keyword.iskeyword(name):
        return f"bad env name {name!r}: a Python keyword"
    return None


def env_names(root=ENVS_DIR):
    """Sorted names of the envs under `root` (envs/); BadEnv for a broken env folder."""
    names = []
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        if not os.path.isfile(os.path.join(folder, name + ".h")):
            continue
        problem = name_error(name)
        if problem is None and not os.path.isfile(os.path.join(folder, name + "_render.h")):
            problem = f"env {name!r} has envs/{name}/{name}.h but no envs/{name}/{name}_render.h"
        if problem is not None:
            raise BadEnv(problem)
        names.append(name)
    return names


if __name__ == "__main__":
    try:
        print("\n".join(env_names()))
    except BadEnv as e:
        sys.exit(f"envs/discover.py: {e}")
