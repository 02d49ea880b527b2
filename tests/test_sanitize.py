"""ASan + UBSan build of every env: 1M+ steps with random and out-of-range actions, then
10k init/close cycles, must report nothing (LeakSanitizer included). Also 10k make/close
cycles through the Python binding must not grow the process."""
import os
import resource
import shutil
import subprocess

import numpy as np
import pytest

import envs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CC = shutil.which("gcc") or shutil.which("cc")


@pytest.mark.skipif(CC is None, reason="no C compiler")
@pytest.mark.parametrize("name", envs.list())
def test_sanitizer_run(name, tmp_path):
    exe = tmp_path / f"fuzz_{name}"
    cmd = [CC, "-O1", "-g", "-std=c11", "-ffp-contract=off", "-fno-omit-frame-pointer",
           "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
           "-Wall", "-Wextra", "-Wno-unused-function", "-Wno-missing-field-initializers",
           "-Werror=implicit-function-declaration",
           f"-I{ROOT}/envs", f'-DENV_HEADER="{name}/{name}.h"',
           f"{ROOT}/tests/c/fuzz.c", "-o", str(exe), "-lm"]
    build = subprocess.run(cmd, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "warning" not in build.stderr, build.stderr
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    run = subprocess.run([str(exe), "1000000", "10000"], capture_output=True, text=True,
                         env=env, timeout=600)
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "runtime error" not in run.stderr and "Sanitizer" not in run.stderr, run.stderr
    assert "0 observations out of bounds" in run.stdout


def max_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.parametrize("name", envs.list())
def test_make_close_cycles_do_not_leak(name):
    def cycle(count):
        for i in range(count):
            env = envs.make(name, num_envs=2, seed=i)
            env.step(np.zeros(env.num_agents, dtype=np.int32))
            env.close()
    cycle(2000)  # warm up allocator pools
    before = max_rss_kb()
    cycle(10000)
    grown = max_rss_kb() - before
    assert grown < 8 * 1024, f"{name}: RSS grew by {grown} KB over 10k make/close cycles"
