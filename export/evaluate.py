"""python -m export.evaluate --env NAME [--model PATH] [--episodes 100] [--seed 0]

Evaluates an exported ONNX policy (argmax actions, onnxruntime on the native env; a
recurrent model carries its state per agent) and prints one JSON line: its score
statistics over exactly `episodes` episodes and the scripted baseline's on the same seeds
(how episodes are counted: train/evaluate.py).
"""
import argparse
import json
import sys

import envs
from export.model import ModelError, default_model_path, load_model
from train.cli import env_parser
from train.evaluate import evaluate


def parse_param(text):
    key, _, value = text.partition("=")
    if not key or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=INT, got {text!r}")
    try:
        return key, int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=INT, got {text!r}") from None


def main(argv=None):
    parser = env_parser("python -m export.evaluate",
                        "Evaluate an exported ONNX policy (argmax actions) on the native env.")
    parser.add_argument("--model", help="default web/models/<env>.onnx")
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--param", action="append", type=parse_param, default=[],
                        help="env param NAME=INT (repeatable); default: the env's defaults")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error("--episodes must be >= 1")
    try:
        spec = envs.spec(args.env)
        model = load_model(args.model or default_model_path(args.env), spec)
    except (ModelError, ValueError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    result = evaluate(args.env, model.act, args.episodes, args.seed, dict(args.param),
                      baseline=not args.no_baseline)
    print(json.dumps({"model": model.path, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
