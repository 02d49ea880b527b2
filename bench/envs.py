"""Single-thread env throughput: python -m bench.envs [--env NAME] [--seconds S].

Prints one JSON line per env and batch size (--agents). `sps` counts env steps per second through the real
VecEnv.step() (action checks and numpy round trip included); `agent_sps` counts agent
steps (they differ for multi-agent envs); `c_sps`/`c_agent_sps` skip the Python checks
(actions written straight into the buffer, one C call per vector step).
"""
import argparse
import json
import os
import time

import numpy as np

import envs


def parse_param(text):
    key, _, value = text.partition("=")
    if not key or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=INT, got {text!r}")
    return key, int(value)


def measure(env, batches, seconds, checked):
    steps = 0
    start = time.perf_counter()
    while True:
        for actions in batches:
            if checked:
                env.step(actions)
            else:
                env.actions[...] = actions
                env.step_unchecked()
        steps += len(batches)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps / elapsed


def bench(name, seconds, target_agents, params):
    probe = envs.make(name, num_envs=1, **params)
    num_envs = max(1, target_agents // probe.agents_per_env)
    probe.close()
    env = envs.make(name, num_envs=num_envs, seed=0, **params)
    rng = np.random.default_rng(0)
    batches = [env.random_actions(rng) for _ in range(32)]
    measure(env, batches, min(0.2, seconds), True)  # warm-up
    checked = measure(env, batches, seconds, True)
    raw = measure(env, batches, seconds, False)
    result = {
        "env": name, "num_envs": num_envs, "agents_per_env": env.agents_per_env,
        "params": dict(params),
        "sps": round(checked * num_envs), "agent_sps": round(checked * env.num_agents),
        "c_sps": round(raw * num_envs), "c_agent_sps": round(raw * env.num_agents),
        "threads": 1, "cpu": os.uname().machine,
    }
    env.close()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", action="append", help="env name (repeatable); default all")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--agents", type=int, action="append",
                        help="about this many agents per step() call (repeatable; "
                             "default: 4096 and 16384, one line each)")
    parser.add_argument("--param", action="append", type=parse_param, default=[],
                        help="env param NAME=INT (repeatable)")
    args = parser.parse_args()
    for name in args.env or envs.list():
        for agents in args.agents or [4096, 16384]:
            print(json.dumps(bench(name, args.seconds, agents, dict(args.param))), flush=True)


if __name__ == "__main__":
    main()
