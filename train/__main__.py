"""python -m train --env NAME [--steps N] [--minutes M] [--seed S] [--out runs/NAME]
[--resume] [--device cuda] [--threads T]; under torchrun: N learners (train/distributed.py)."""
import json
import sys

from train.cli import env_parser
from train.config import load_config


def main(argv=None):
    parser = env_parser("python -m train", "Train a PPO policy on a ShiftPlay env.")
    parser.add_argument("--config", help="config file (default train/configs/<env>.toml)")
    parser.add_argument("--steps", type=int, help="total agent steps (overrides the config)")
    parser.add_argument("--minutes", type=float,
                        help="wall-clock budget for this run (it stops, evaluates and saves)")
    parser.add_argument("--seed", type=int, help="seed (overrides the config)")
    parser.add_argument("--out", help="output directory (default runs/<env>)")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/checkpoint.pt")
    parser.add_argument("--device", help="torch device: cpu, cuda, cuda:1 (default: cuda if present, "
                        "else cpu); the envs always run on the CPU")
    parser.add_argument("--threads", type=int,
                        help="torch threads per learner (default: the config's, 1)")
    parser.add_argument("--no-stop", action="store_true",
                        help="keep training after the target is met")
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.env, args.config)
    except (FileNotFoundError, ValueError) as e:
        parser.error(str(e))
    if args.minutes is not None and args.minutes <= 0:
        parser.error("--minutes must be > 0")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be >= 1")
    if args.steps is not None:
        cfg["total_steps"] = args.steps
    if args.seed is not None:
        cfg["seed"] = args.seed
    if args.threads is not None:
        cfg["threads"] = args.threads
    if args.no_stop:
        cfg["eval"]["stop_at_target"] = False
    from train.ppo import train  # imports torch: after argument errors
    try:
        summary = train(cfg, args.out or f"runs/{args.env}", resume=args.resume,
                        device=args.device, minutes=args.minutes)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summary, default=str))  # under torchrun: one line per learner
    return 0


if __name__ == "__main__":
    sys.exit(main())
