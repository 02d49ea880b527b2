"""Starts a new env from the template in envs/template/ (a small "catch the falling
dot" game that builds, plays, trains and passes `make test` as is):

    make new-env NAME=mygame      (or: python3 envs/new_env.py mygame)

writes envs/mygame/mygame.h (game logic), envs/mygame/mygame_render.h (drawing, keys)
and train/configs/mygame.toml (training config and target). Nothing else needs an edit:
every tool finds envs through envs/discover.py. Refuses a bad name or one in use, and
writes nothing then.
"""
import os
import sys

from discover import ENVS_DIR, name_error

ROOT = os.path.dirname(ENVS_DIR)
TEMPLATE = os.path.join(ENVS_DIR, "template")
RESERVED = {"template", "test", "tests"}


def outputs(name):
    """(template file, destination) pairs for env `name`."""
    return [
        (os.path.join(TEMPLATE, "NAME.h"), os.path.join(ENVS_DIR, name, f"{name}.h")),
        (os.path.join(TEMPLATE, "NAME_render.h"),
         os.path.join(ENVS_DIR, name, f"{name}_render.h")),
        (os.path.join(TEMPLATE, "NAME.toml"),
         os.path.join(ROOT, "train", "configs", f"{name}.toml")),
    ]


def check_name(name):
    """Why `name` cannot be a new env, or None."""
    problem = name_error(name)
    if problem:
        return problem
    if name in RESERVED:
        return f"{name!r} is reserved"
    taken = [os.path.join(ENVS_DIR, name), os.path.join(ENVS_DIR, name + ".py")]
    taken += [dest for _, dest in outputs(name)]
    for path in taken:
        if os.path.exists(path):
            return f"{name!r} is taken: {os.path.relpath(path, ROOT)} exists"
    return None


def fill(text, name):
    title = name.replace("_", " ").title()
    return (text.replace("{{name}}", name).replace("{{NAME}}", name.upper())
            .replace("{{Title}}", title))


def create(name):
    """Writes the new env's files; returns their paths. ValueError if `name` is bad."""
    problem = check_name(name)
    if problem:
        raise ValueError(problem)
    files = []
    for src, dest in outputs(name):
        with open(src, encoding="utf-8") as f:
            files.append((dest, fill(f.read(), name)))
    os.makedirs(os.path.join(ENVS_DIR, name))
    for dest, text in files:
        with open(dest, "x", encoding="utf-8") as f:
            f.write(text)
    return [dest for dest, _ in files]


def main(argv):
    if len(argv) != 1:
        sys.exit("usage: make new-env NAME=mygame   (python3 envs/new_env.py mygame)")
    name = argv[0]
    try:
        paths = create(name)
    except ValueError as e:
        sys.exit(f"new-env: {e}")
    for path in paths:
        print(f"wrote {os.path.relpath(path, ROOT)}")
    print(f"next: make build web && make test; play it with make demo at /play/{name};\n"
          f"train it: .venv/bin/python -m train --env {name}, then "
          f".venv/bin/python -m export --env {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
