"""WebAssembly vs native: same seed, same actions -> byte-identical results.

The wasm build (web/build/<env>.js, run headless in node by node_harness.js) and the
native build (envs.make(name, num_envs=1, seed=S)) step through the same action sequence,
half random actions and half the env's own C baseline (computed on each side from its own
state), and must produce identical observations, rewards, terminals and truncations,
compared as raw bytes at every step. Continuous envs get random values within the bounds
and, for one in ten, values C must clamp: far outside, infinite or NaN (written straight
into the native buffer, past Python's checks, as the page's buffer is).
"""
import os

import numpy as np
import pytest

from tests.web.common import built_js, env_names, run_node

STEPS = int(os.environ.get("SHIFTPLAY_PARITY_STEPS", "10000"))
CASES = [(name, seed, steps) for name in env_names()
         for seed, steps in ((20240607, STEPS), (2**40 + 7, 1000))]


def make_actions(env, steps, seed):
    """(actions [steps, *env.actions.shape] in the env's dtype, use_baseline [steps, n])."""
    rng = np.random.default_rng(seed)
    acts = np.stack([env.random_actions(rng) for _ in range(steps)])
    if env.continuous:
        wild = rng.random(acts.shape) < 0.1
        acts[wild] = rng.choice(np.float32([np.nan, np.inf, -np.inf, 1e6, -1e6, 3.5, -2.5]),
                                size=int(wild.sum()))
    use_baseline = rng.random((steps, env.num_agents)) < 0.5
    return acts, use_baseline


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
    acts, use_baseline = make_actions(env, steps, seed)
    actions_file = tmp_path / "actions.bin"
    baseline_file = tmp_path / "baseline.bin"
    out_file = tmp_path / "out.bin"
    acts.tofile(actions_file)
    use_baseline.astype(np.uint8).tofile(baseline_file)
    run_node("parity", js, seed, steps, actions_file, baseline_file, out_file)

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
        if use_baseline[t].any():
            base = env.baseline_actions()
            a[use_baseline[t]] = base[use_baseline[t]]
        env.actions[...] = a  # as the page writes them: C clamps what needs clamping
        env.step_unchecked()
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
