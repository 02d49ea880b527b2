"""python -m export --env NAME [--checkpoint PATH] [--out web/models] [--episodes 100]"""
import sys

from export.model import ModelError
from train.cli import env_parser


def main(argv=None):
    parser = env_parser("python -m export", "Export a trained policy to ONNX.")
    parser.add_argument("--checkpoint", help="default runs/<env>/best.pt, else checkpoint.pt")
    parser.add_argument("--out", help="output folder (default web/models)")
    parser.add_argument("--episodes", type=int, default=100, help="evaluation episodes")
    parser.add_argument("--seed", type=int, default=0, help="evaluation seed")
    parser.add_argument("--no-eval", action="store_true", help="skip the evaluation")
    args = parser.parse_args(argv)
    import torch
    torch.set_num_threads(1)   # small nets: one thread is fastest on a shared machine
    from export.onnx_export import export
    try:
        export(args.env, args.checkpoint, args.out, episodes=args.episodes, seed=args.seed,
               evaluate_model=not args.no_eval,
               log=lambda text: print(text, file=sys.stderr))
    except (ModelError, FileNotFoundError, ValueError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
