"""WebAssembly vs native: same seed, same actions -> byte-identical results.

The wasm build (web/build/<env>.js, run headless in node by node_harness.js) and the
native build (envs.make(name, num_envs=1, seed=S)) step through the same action sequence,
half random actions and half the env's own C baseline (computed on each side from its own
state), and must produce identical observations, rewards, terminals and truncations,
compared as raw bytes at every step.
"""
import os

import numpy as np
import pytest

from tests.web.common import built_js, env_names, run_node

STEPS = int(os.environ.get("SHIFTPLAY_PARITY_STEPS", "10000"))
CASES = [(name, seed, steps) for name in env_names()
         for seed, steps in ((20240607, STEPS), (2**40 + 7, 1000))]


def make_actions(num_agents, num_actions, steps, seed):
    rng = np.random.default_rng(seed)
    acts = rng.integers(0, num_actions, size=(steps, num_agents), dtype=np.int32)
    acts[rng.random((steps, num_agents)) < 0.5] = -1  # -1: the baseline's action
    return acts


def first_difference(a, b):
    idx = np.flatnonzero(a != b)
    return f"{len(idx)} differing items, first at {idx[:5].tolist()}: " \
           f"wasm {a[idx[:5]].tolist()} native {b[idx[:5]].tolist()}"


@pytest.mark.parametrize("name,seed,steps", CASES,
                         ids=[f"{n}-seed{s}-{k}steps" for n, s, k in CASES])
def test_wasm_matches_native(name, seed, steps, tmp_path):
    import envs

    js = built_js(name)
    env = envs.make(name, num_envs=1, seed=seed)
    n = env.num_agents
    acts = make_actions(n, env.num_actions, steps, seed)
    actions_file = tmp_path / "actions.bin"
    out_file = tmp_path / "out.bin"
    acts.tofile(actions_file)
    run_node("parity", js, seed, steps, actions_file, out_file)

    data = np.fromfile(out_file, dtype=np.uint8)
    obs_bytes = env.observations.nbytes
    step_bytes = obs_bytes + 4 * n + 2 * n
    assert data.size == obs_bytes + steps * step_bytes, "wasm output has the wrong size"

    def check(field, wasm, native, t):
        native = np.ascontiguousarray(native).view(np.uint8).ravel()
        if not np.array_equal(wasm, native):
            raise AssertionError(f"{name} seed {seed}: {field} differ at step {t}: "
                                 f"{first_difference(wasm, native)}")

    check("initial observations", data[:obs_bytes], env.observations, -1)
    episodes = 0
    for t in range(steps):
        a = acts[t].copy()
        if (a < 0).any():
            base = env.baseline_actions()
            a[a < 0] = base[a < 0]
        env.step(a)
        o = obs_bytes + t * step_bytes
        check("observations", data[o:o + obs_bytes], env.observations, t)
        o += obs_bytes
        check("rewards", data[o:o + 4 * n], env.rewards, t)
        o += 4 * n
        check("terminals", data[o:o + n], env.terminals, t)
        o += n
        check("truncations", data[o:o + n], env.truncations, t)
        episodes += int(env.terminals.sum() + env.truncations.sum())
    env.close()
    # The run must have gone through at least one episode boundary to mean much.
    if steps >= STEPS:
        assert episodes > 0, f"{name}: no episode ended in {steps} steps"
