"""Builds one C extension per env: envs/<name>/_env from the generic envs/binding.c.

The envs are those of envs/discover.py; nothing here names one.
"""
import os
import runpy

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
env_names = runpy.run_path(os.path.join(HERE, "envs", "discover.py"))["env_names"]
# A missing or mistyped contract function is an error, not a warning (pip -q hides those).
FLAGS = ["-O3", "-ffp-contract=off", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-function",
         "-Wno-missing-field-initializers", "-Werror=implicit-function-declaration",
         "-Werror=incompatible-pointer-types", "-Werror=int-conversion", "-Werror=return-type"]


def env_extension(name):
    return Extension(
        f"envs.{name}._env",
        sources=["envs/binding.c"],
        include_dirs=["envs"],
        define_macros=[("ENV_HEADER", f'"{name}/{name}.h"')],
        depends=["envs/env.h", f"envs/{name}/{name}.h"],
        extra_compile_args=FLAGS,
    )


# Each env folder is a package (it holds the compiled _env module).
setup(packages=["envs", "train", "export"] + [f"envs.{name}" for name in env_names()],
      ext_modules=[env_extension(name) for name in env_names()])
