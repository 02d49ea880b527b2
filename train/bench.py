"""python -m train.bench --env NAME [--seconds S] [--threads T] [--lstm H] [--device D]

Trains for S seconds with the env's config (the real PPO iteration of train/ppo.py:
rollout, GAE and update, nothing stubbed; no evaluation, no files) and prints one JSON
line: training steps/s, and the share of the time spent in the C env, in the policy
during the rollout ("forward"), in the PPO update, and elsewhere (GAE, copies). The
machine's load average is included: on a shared machine compare ratios measured in one
sitting, not absolute numbers.
"""
import json
import os
import sys
import time

from train.cli import env_parser


def bench(env_name, seconds=20.0, threads=1, lstm=None, device=None, config=None):
    import torch

    from train.config import load_config
    from train.distributed import Learners, pick_device
    from train.ppo import Minibatch, iteration, setup
    from train.shaping import RewardShaping
    cfg = load_config(env_name, config)
    if lstm is not None:
        cfg["policy"]["lstm"] = lstm
    torch.set_num_threads(threads)
    learners = Learners(0, 1, pick_device(device))
    env, policy, optimizer, buf = setup(cfg, learners.device, learners)
    ppo = cfg["ppo"]
    shaping = RewardShaping(env.spec, ppo, ppo["num_steps"], env.num_agents)
    state = policy.initial_state(env.num_agents, learners.device)
    next_done = torch.zeros(env.num_agents)
    learner = Minibatch(policy)

    def run(timer):
        nonlocal state, next_done
        state, next_done, _ = iteration(env, policy, learner, optimizer, buf, state,
                                        next_done, shaping, ppo, learners.device, timer)

    run({"env": 0.0, "forward": 0.0, "update": 0.0})  # warm-up
    timer = {"env": 0.0, "forward": 0.0, "update": 0.0}
    updates = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        run(timer)
        updates += 1
    total = time.perf_counter() - start
    env.close()
    steps = updates * ppo["num_steps"] * env.num_agents
    split = {key: round(value / total, 3) for key, value in timer.items()}
    split["other"] = round(1.0 - sum(timer.values()) / total, 3)
    return {"env": env_name, "sps": round(steps / total), "steps": steps, "updates": updates,
            "seconds": round(total, 1), "threads": threads, "device": str(learners.device),
            "policy": cfg["policy"], "num_envs": ppo["num_envs"],
            "num_steps": ppo["num_steps"], "time_split": split,
            "load_avg_1min": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}


def main(argv=None):
    parser = env_parser("python -m train.bench",
                        "Training speed (steps/s) of an env's config, and where the time goes.")
    parser.add_argument("--config", help="config file (default train/configs/<env>.toml)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--lstm", type=int, help="LSTM units (overrides [policy] lstm; 0: none)")
    parser.add_argument("--device", help="torch device (default: cuda if present, else cpu)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.threads < 1 or (args.lstm is not None and args.lstm < 0):
        parser.error("--seconds must be > 0, --threads >= 1, --lstm >= 0")
    from train.config import load_config
    try:
        load_config(args.env, args.config)
        result = bench(args.env, args.seconds, args.threads, args.lstm, args.device,
                       args.config)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
