"""python -m train --env NAME [--steps N] [--seed S] [--out runs/NAME] [--resume]"""
import argparse
import json
import sys

from train.config import load_config


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m train",
                                     description="Train a PPO policy on a ShiftPlay env.")
    parser.add_argument("--env", required=True, help="env name (config: train/configs/NAME.toml)")
    parser.add_argument("--config", help="config file (default train/configs/<env>.toml)")
    parser.add_argument("--steps", type=int, help="total agent steps (overrides the config)")
    parser.add_argument("--seed", type=int, help="seed (overrides the config)")
    parser.add_argument("--out", help="output directory (default runs/<env>)")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/checkpoint.pt")
    parser.add_argument("--device", help="torch device (default: cuda if present, else cpu)")
    parser.add_argument("--threads", type=int, help="torch threads (default: 2)")
    parser.add_argument("--no-stop", action="store_true",
                        help="keep training after the target is met")
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.env, args.config)
    except (FileNotFoundError, ValueError) as e:
        parser.error(str(e))
    if args.steps is not None:
        cfg["total_steps"] = args.steps
    if args.seed is not None:
        cfg["seed"] = args.seed
    if args.threads is not None:
        cfg["threads"] = args.threads
    if args.no_stop:
        cfg["eval"]["stop_at_target"] = False
    from train.ppo import train  # imports torch: after argument errors
    summary = train(cfg, args.out or f"runs/{args.env}", resume=args.resume,
                    device=args.device)
    print(json.dumps(summary, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
