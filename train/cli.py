"""What the train and export commands share on their command lines."""
import argparse

import envs


def env_parser(prog, description):
    """An ArgumentParser for a command about one env: --env NAME, one of envs.list()
    (an unknown name is an error that lists the envs)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    names = envs.list()
    parser.add_argument("--env", required=True, choices=names, metavar="NAME",
                        help="the env: " + ", ".join(names))
    return parser
