"""Raw env speed, ours vs PufferLib 3.0.0 Ocean, in one run: python tests/bench/vs_puffer.py

Both envs are compiled with the flags of our Python extension (setup.py) and stepped one
instance at a time in a C loop with uniform random actions: ours by bench/native.c
(web/bench_loop.h), theirs by tests/bench/puffer_<game>.c over their unmodified header.
Prints one JSON line per measurement (best of --repeats) and one with the ratios per game
(--games connect4 racing: both by default).

Connect Four: PufferLib's opponent searches 3 plies (exhaustive negamax) on every move;
ours is the scripted player by default, so the like-for-like line is ours with
opponent_depth=3 (alpha-beta, with a threat-counting evaluation at the leaves).

Racing vs their Enduro: one step is one game tick in both (their 60 ticks per second of
play, ours 30, so ours covers twice the game time per step). Theirs works in screen
pixels: it moves up to 10 enemies, recomputes the road's bezier edges and the cars'
lane positions, a day clock of 16 colour phases, and writes 68 observation values;
ours moves up to 16 cars in road coordinates, resolves collisions and passes, and
writes 50 values, picking per lane the 3 nearest cars the day phase lets it see.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLAGS = ["-O3", "-ffp-contract=off", "-std=c11"]  # as setup.py builds the envs
CACHE = os.path.join(ROOT, ".cache", "bench")
DEFAULT_PUFFER = "/work/pufferlib/pufferlib-3.0.0/pufferlib/ocean"
RAYLIB_INCLUDE = os.path.join(ROOT, ".cache", "raylib-3.5", "src")


def build_ours(name):
    out = os.path.join(CACHE, f"{name}_native")
    subprocess.run(["gcc", *FLAGS, "-I" + os.path.join(ROOT, "envs"), "-I" + os.path.join(ROOT, "web"),
                    f'-DENV_HEADER="{name}/{name}.h"',
                    os.path.join(ROOT, "bench", "native.c"), "-o", out], check=True)
    return out


def build_puffer(ocean, game):
    """Their <game>/<game>.h under tests/bench/puffer_<game>.c."""
    header = os.path.join(ocean, game, f"{game}.h")
    if not os.path.isfile(header):
        raise SystemExit(f"PufferLib's {header} not found (--puffer-ocean DIR)")
    if not os.path.isdir(RAYLIB_INCLUDE):
        raise SystemExit(f"{RAYLIB_INCLUDE} missing: run ./build_web.sh once (it fetches raylib)")
    out = os.path.join(CACHE, f"puffer_{game}")
    # Their header also draws with raylib: headers only, and unused code is dropped.
    subprocess.run(["gcc", *FLAGS, "-D_POSIX_C_SOURCE=199309L", "-I" + RAYLIB_INCLUDE,
                    "-ffunction-sections", "-fdata-sections", "-w", "-include", header,
                    os.path.join(ROOT, "tests", "bench", f"puffer_{game}.c"), "-o", out,
                    "-Wl,--gc-sections", "-lm"], check=True)
    return out


def best_rate(cmd, steps, repeats):
    best = 0.0
    for k in range(repeats):
        r = json.loads(subprocess.run([*cmd[:1], str(steps), str(k + 1), *cmd[1:]], check=True,
                                      capture_output=True, text=True).stdout)
        best = max(best, r["steps"] / r["seconds"])
    return best


def measure(game, rows, repeats):
    """One JSON line per (impl, what, cmd, steps) row; returns their rates."""
    rates = []
    for impl, what, cmd, steps in rows:
        rate = best_rate(cmd, steps, repeats)
        rates.append(rate)
        print(json.dumps({"env": game, "impl": impl, "variant": what,
                          "steps_per_s": round(rate), "threads": 1}), flush=True)
    return rates


def compare_connect4(args):
    ours, theirs = build_ours("connect4"), build_puffer(args.puffer_ocean, "connect4")
    rows = [
        ("shiftplay", "scripted opponent (default)", [ours], args.steps),
        ("shiftplay", "opponent_depth=3", [ours, "opponent_depth=3"], args.search_steps),
        ("pufferlib", "3-ply negamax opponent (their only one)", [theirs], args.search_steps),
    ]
    default, depth3, puffer = measure("connect4", rows, args.repeats)
    print(json.dumps({"env": "connect4", "ratio_default_vs_puffer": round(default / puffer, 1),
                      "ratio_depth3_vs_puffer": round(depth3 / puffer, 2)}))


def compare_racing(args):
    ours, theirs = build_ours("racing"), build_puffer(args.puffer_ocean, "enduro")
    rows = [
        ("shiftplay", "racing (one step = 1/30 s of play)", [ours], args.steps),
        ("pufferlib", "enduro (one step = 1/60 s of play)", [theirs], args.steps),
    ]
    ours_rate, puffer = measure("racing", rows, args.repeats)
    print(json.dumps({"env": "racing", "vs": "pufferlib enduro",
                      "ratio_vs_puffer": round(ours_rate / puffer, 2)}))


GAMES = {"connect4": compare_connect4, "racing": compare_racing}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puffer-ocean", default=DEFAULT_PUFFER)
    parser.add_argument("--games", nargs="+", choices=sorted(GAMES), default=sorted(GAMES))
    parser.add_argument("--steps", type=int, default=2_000_000, help="steps per run, cheap opponents")
    parser.add_argument("--search-steps", type=int, default=100_000,
                        help="steps per run with a 3-ply search opponent")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    os.makedirs(CACHE, exist_ok=True)
    for game in args.games:
        GAMES[game](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
