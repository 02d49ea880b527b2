"""Web numbers, one JSON line per env (a benchmark, not a test):

    python -m bench.web [env ...] [--rounds 5] [--seconds 0.3]

- size: web/build/<env>.js + .wasm, raw / gzip / brotli (target: <= 120 KB gzip);
- speed: steps per second of one env stepped in a C loop over random actions, in
  WebAssembly (node, web/build/<env>.js: sp_bench) and natively (gcc with the flags of the
  Python extension: bench/native.c), both running web/bench_loop.h with the same
  actions; ratio = wasm / native (target: >= 0.7). Best of --rounds alternating runs, after
  a warm-up, because this machine is shared.
"""
import argparse
import json
import os
import subprocess
import sys

from web.tools.local import BUILD, ROOT, built_js, env_names, manifest, run_node

GZIP_TARGET = 120 * 1024
RATIO_TARGET = 0.7
CACHE = os.path.join(ROOT, ".cache", "bench")
NATIVE_FLAGS = ["-O3", "-ffp-contract=off", "-std=c11"]  # as setup.py builds the envs


def native_binary(name):
    src = os.path.join(ROOT, "bench", "native.c")
    out = os.path.join(CACHE, f"{name}_native")
    deps = [src, os.path.join(ROOT, "web", "bench_loop.h"), os.path.join(ROOT, "envs", "env.h"),
            os.path.join(ROOT, "envs", "glue.h")]
    env_dir = os.path.join(ROOT, "envs", name)
    deps += [os.path.join(env_dir, f) for f in os.listdir(env_dir) if f.endswith(".h")]
    if not os.path.exists(out) or any(os.path.getmtime(d) > os.path.getmtime(out) for d in deps):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run(["gcc", *NATIVE_FLAGS, "-I" + os.path.join(ROOT, "envs"),
                        "-I" + os.path.join(ROOT, "web"), f'-DENV_HEADER="{name}/{name}.h"',
                        src, "-o", out], check=True)
    return out


def run_native(binary, steps, seed=1):
    out = subprocess.run([binary, str(steps), str(seed)], capture_output=True, text=True,
                         check=True, timeout=600)
    return json.loads(out.stdout)


def run_wasm(name, steps, seed=1):
    return json.loads(run_node("bench", built_js(name), steps, seed).strip().splitlines()[-1])


def bench(name, rounds, seconds):
    entry = manifest().get("envs", {}).get(name)
    if entry is None:
        raise SystemExit(f"{name} is not built for the web: run `make web`")
    sizes = entry["sizes"]
    binary = native_binary(name)
    probe = run_native(binary, 2000)
    per_step = max(probe["seconds"] / 2000, 1e-9)
    steps = int(min(max(seconds / per_step, 2000), 50_000_000))
    native_best = wasm_best = None
    native = wasm = None
    for _ in range(rounds):
        native = run_native(binary, steps)
        wasm = run_wasm(name, steps)
        native_best = min(native_best or native["seconds"], native["seconds"])
        wasm_best = min(wasm_best or wasm["seconds"], wasm["seconds"])
    result = {
        "env": name,
        "js_raw": sizes["js"]["raw"], "js_gzip": sizes["js"]["gzip"],
        "wasm_raw": sizes["wasm"]["raw"], "wasm_gzip": sizes["wasm"]["gzip"],
        "total_raw": sizes["total"]["raw"], "total_gzip": sizes["total"]["gzip"],
        "total_br": sizes["total"]["br"],
        "gzip_target": GZIP_TARGET, "gzip_ok": sizes["total"]["gzip"] <= GZIP_TARGET,
        "num_agents": native["num_agents"], "steps": steps, "rounds": rounds,
        "native_steps_per_s": round(steps / native_best),
        "wasm_steps_per_s": round(steps / wasm_best),
        "ratio": round(native_best / wasm_best, 3),
        "ratio_target": RATIO_TARGET, "ratio_ok": native_best / wasm_best >= RATIO_TARGET,
        "same_checksum": native["checksum"] == wasm["checksum"],
    }
    try:  # for scale: the Python API stepping the same env one at a time
        result["python_single_env_steps_per_s"] = python_rate(name)
    except Exception as e:  # noqa: BLE001 - native build missing: skip this one number
        result["python_single_env_steps_per_s"] = None
        result["python_error"] = str(e)[:200]
    return result


def python_rate(name, seconds=0.3):
    import time

    import numpy as np

    import envs

    env = envs.make(name, num_envs=1, seed=1)
    rng = np.random.default_rng(1)
    acts = np.stack([env.random_actions(rng) for _ in range(4096)])
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        env.actions[:] = acts[n % 4096]
        env.step_unchecked()
        n += 1
    rate = n / (time.perf_counter() - t0)
    env.close()
    return round(rate)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("envs", nargs="*", help="default: every env built for the web")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3,
                        help="native run time of one round; sets the step count")
    args = parser.parse_args(argv)
    names = args.envs or [n for n in env_names()
                          if os.path.isfile(os.path.join(BUILD, n + ".wasm"))]
    ok = True
    for name in names:
        r = bench(name, args.rounds, args.seconds)
        ok = ok and r["gzip_ok"] and r["ratio_ok"] and r["same_checksum"]
        print(json.dumps(r), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main())
