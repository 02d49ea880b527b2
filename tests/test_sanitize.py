"""ASan + UBSan build of every env: 1M+ steps with random and out-of-range actions, then
10k init/close cycles, must report nothing (LeakSanitizer included). Also 10k make/close
cycles through the Python binding must not grow the process, and the binding built with
ASan + UBSan must stay clean when threads race on one env (close during step, reset
during step)."""
import os
import resource
import shutil
import subprocess
import sys

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
            env.step(env.idle_actions())
            env.close()
    cycle(2000)  # warm up allocator pools
    before = max_rss_kb()
    cycle(10000)
    grown = max_rss_kb() - before
    assert grown < 8 * 1024, f"{name}: RSS grew by {grown} KB over 10k make/close cycles"


# The binding itself under ASan + UBSan, driven from several threads: close() during
# step(), and reset/step racing on one env, must be refused or waited for, never touch
# freed or shared memory.
THREADS_UNDER_ASAN = """
import importlib.util, sys, threading, time
import numpy as np
from envs.vector import VecEnv

name, path = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("_env", path)
binding = importlib.util.module_from_spec(spec)
spec.loader.exec_module(binding)
for trial in range(20):
    env = VecEnv(name, binding, num_envs=64)
    def run():
        while True:
            try:
                env.step(env.idle_actions())
            except RuntimeError:
                return
    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.005 * (trial % 4))
    env.close()
    t.join(30)
env = VecEnv(name, binding, num_envs=8)
stop = threading.Event()
def race(k):
    while not stop.is_set():
        try:
            env.reset() if k == 0 else env.step(env.idle_actions())
        except RuntimeError:
            pass
threads = [threading.Thread(target=race, args=(k,)) for k in range(4)]
for t in threads:
    t.start()
time.sleep(1.0)
stop.set()
for t in threads:
    t.join(30)
env.close()
print("ok")
"""


def libasan():
    if CC is None:
        return None
    out = subprocess.run([CC, "-print-file-name=libasan.so"], capture_output=True, text=True)
    path = out.stdout.strip()
    return path if os.path.isabs(path) and os.path.exists(path) else None


@pytest.mark.skipif(libasan() is None, reason="no gcc with libasan")
@pytest.mark.parametrize("name", envs.list())
def test_binding_threads_under_sanitizers(name, tmp_path):
    import sysconfig

    lib = tmp_path / f"{name}_env.so"
    cmd = [CC, "-shared", "-fPIC", "-O1", "-g", "-std=c11", "-ffp-contract=off",
           "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
           "-fno-sanitize-recover=all", f"-I{sysconfig.get_paths()['include']}",
           f"-I{ROOT}/envs", f'-DENV_HEADER="{name}/{name}.h"', f"{ROOT}/envs/binding.c",
           "-o", str(lib)]
    build = subprocess.run(cmd, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    env = dict(os.environ, LD_PRELOAD=libasan(), ASAN_OPTIONS="detect_leaks=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    run = subprocess.run([sys.executable, "-c", THREADS_UNDER_ASAN, name, str(lib)],
                         cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr[-4000:]
    assert "Sanitizer" not in run.stderr and "runtime error" not in run.stderr, run.stderr
