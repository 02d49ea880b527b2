"""What the benchmarks, the screenshots and the tests drive locally: the web build
(web/build and its manifest), headless Chromium and the node harness (node_harness.js).

    from web.tools.local import BUILD, CHROMIUM, CHROMIUM_ARGS, manifest, run_node
"""
import json
import os
import shutil
import subprocess

from envs.discover import env_names  # noqa: F401 - the one env list, re-exported

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "web", "build")
MANIFEST = os.path.join(BUILD, "manifest.json")
HARNESS = os.path.join(ROOT, "web", "tools", "node_harness.js")
CHROMIUM = os.environ.get("SHIFTPLAY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]
NODE_ENV = dict(os.environ, NODE_PATH=os.environ.get("NODE_PATH", "/usr/share/nodejs"))


def manifest():
    try:
        with open(MANIFEST, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"envs": {}}


def built_js(name):
    """Path of web/build/<name>.js; fails clearly if the env was not built."""
    js = os.path.join(BUILD, name + ".js")
    if not (os.path.isfile(js) and os.path.isfile(os.path.join(BUILD, name + ".wasm"))):
        raise AssertionError(f"{name} is not built for the web: run `make web` "
                             f"(./build_web.sh {name})")
    return js


def node():
    path = shutil.which("node")
    if path is None:
        raise AssertionError("node not found (Debian: nodejs)")
    return path


def run_node(*args, timeout=600):
    """Runs the node harness; returns its stdout (JSON lines are parsed by the caller)."""
    out = subprocess.run([node(), "--no-experimental-fetch", HARNESS, *map(str, args)],
                         cwd=ROOT, env=NODE_ENV, capture_output=True, text=True,
                         timeout=timeout)
    if out.returncode != 0:
        raise AssertionError(f"node harness failed ({out.returncode}):\n{out.stderr}")
    return out.stdout
