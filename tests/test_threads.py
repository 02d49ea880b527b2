"""Threads and envs: one env used from several threads gets a clear RuntimeError (never a
crash, never corrupt data); close() from another thread waits for a running step; threads
that each own an env still step in parallel (the GIL is released while C runs).

The crash cases run in a child process, so a segfault fails the test instead of killing
pytest."""
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import envs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALL = envs.list()


def run_child(code, timeout=60):
    """Runs `code` in a fresh interpreter; returns (returncode, output)."""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


# close() while another thread steps: before the fix this freed the buffers under the
# running step (a segfault in 8-10 runs of 10). Repeated 20 times per env.
CLOSE_DURING_STEP = """
import threading, time, numpy as np, envs
for trial in range(20):
    e = envs.make({name!r}, num_envs=64)
    started = threading.Event()
    errors = []
    def run():
        n = 0
        while True:
            try:
                e.step(e.idle_actions())
            except RuntimeError as err:
                errors.append(str(err))
                return
            n += 1
            if n == 3:
                started.set()
    t = threading.Thread(target=run)
    t.start()
    started.wait(10)
    time.sleep(0.002 * (trial % 5))
    e.close()
    t.join(10)
    assert not t.is_alive(), "stepping thread did not stop after close()"
    assert errors and "closed" in errors[0], errors
print("ok")
"""


@pytest.mark.parametrize("name", ALL)
def test_close_during_step_never_crashes(name):
    rc, out = run_child(CLOSE_DURING_STEP.format(name=name))
    assert rc == 0 and out.strip().endswith("ok"), f"rc={rc}\n{out[-3000:]}"


# Reset and step racing, and 4 threads stepping one env: each call either runs alone or
# raises "in use"; observations stay inside the declared range.
RACE = """
import threading, numpy as np, envs
e = envs.make({name!r}, num_envs=8)
spec = e.spec
stop = threading.Event()
counts = {{"ok": 0, "busy": 0}}
bad = []
def stepper(kind):
    rng = np.random.default_rng(kind)
    while not stop.is_set():
        try:
            if kind == 0:
                e.reset()
            else:
                e.step(e.random_actions(rng))
                obs = e.observations
                if obs.min() < spec["obs_low"] or obs.max() > spec["obs_high"]:
                    bad.append((float(obs.min()), float(obs.max())))
            counts["ok"] += 1
        except RuntimeError as err:
            assert "in use by another thread" in str(err), err
            counts["busy"] += 1
threads = [threading.Thread(target=stepper, args=(k,)) for k in range(4)]
for t in threads: t.start()
import time; time.sleep(1.5)
stop.set()
for t in threads: t.join(10)
e.close()
assert not bad, bad[:5]
assert counts["ok"] > 0, counts
print("ok", counts)
"""


@pytest.mark.parametrize("name", ALL)
def test_concurrent_step_and_reset_are_refused_not_corrupting(name):
    rc, out = run_child(RACE.format(name=name))
    assert rc == 0 and "ok" in out, f"rc={rc}\n{out[-3000:]}"


def test_busy_env_refuses_other_calls():
    """While one thread is inside step(), log/baseline/step/reset from another raise."""
    name = ALL[0]
    env = envs.make(name, num_envs=20000)
    refused = set()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            env.step_unchecked()

    t = threading.Thread(target=loop)
    t.start()
    deadline = time.monotonic() + 20
    calls = {"step": lambda: env.step(env.idle_actions()),
             "reset": lambda: env.reset(), "log": env.log,
             "baseline": env.baseline_actions}
    while len(refused) < len(calls) and time.monotonic() < deadline:
        for key, call in calls.items():
            try:
                call()
            except RuntimeError as err:
                assert "in use by another thread" in str(err)
                refused.add(key)
    stop.set()
    t.join(20)
    env.close()
    assert refused == set(calls), f"never refused: {set(calls) - refused}"


def test_threads_with_their_own_envs_run_in_parallel():
    """Two threads, one env each: their C steps overlap in time (the GIL is released).

    Measured as overlap, not speed, so a busy machine cannot make it flaky: each thread
    records when each of its steps started and ended; some step of one thread must run
    while the other thread is inside a step. The GIL switch interval is raised to 100 s,
    so a thread gives up the GIL only where C releases it: if step() held the GIL, each
    thread would run its whole loop alone and no spans would overlap."""
    name = "snake" if "snake" in ALL else ALL[0]
    pair = [envs.make(name, num_envs=64, seed=s) for s in (1, 2)]
    spans = [[], []]

    def run(k):
        env = pair[k]
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            t0 = time.perf_counter()
            env.step_unchecked()
            spans[k].append((t0, time.perf_counter()))

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        sys.setswitchinterval(interval)
    for env in pair:
        env.close()
    a, b = spans
    overlaps = 0
    j = 0
    for start, end in a:
        while j < len(b) and b[j][1] < start:
            j += 1
        if j < len(b) and b[j][0] < end:
            overlaps += 1
    assert len(a) > 10 and len(b) > 10
    assert overlaps >= 3, f"C steps of two envs never overlapped ({len(a)}, {len(b)} steps)"
