"""Builds one C extension per env: envs/<name>/_env from the generic envs/binding.c.

Every directory envs/<name>/ holding <name>.h is an env; nothing here names one.
"""
import os

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
FLAGS = ["-O3", "-ffp-contract=off", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-function",
         "-Wno-missing-field-initializers"]


def env_names():
    root = os.path.join(HERE, "envs")
    names = []
    for name in sorted(os.listdir(root)):
        if os.path.isfile(os.path.join(root, name, name + ".h")):
            names.append(name)
    return names


def env_extension(name):
    return Extension(
        f"envs.{name}._env",
        sources=["envs/binding.c"],
        include_dirs=["envs"],
        define_macros=[("ENV_HEADER", f'"{name}/{name}.h"')],
        depends=["envs/env.h", f"envs/{name}/{name}.h"],
        extra_compile_args=FLAGS,
    )


setup(ext_modules=[env_extension(name) for name in env_names()])
