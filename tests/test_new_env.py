"""`make new-env NAME=x` gives an env that passes the generic tests untouched.

In a throwaway copy of the project: make new-env, build the Python extension and the
wasm module of the new env (the other envs' builds are copied, not rebuilt), then run
the generic tests for the new env only: env contract, gym, bad input, sanitizers,
training config, export shapes, shipped-model check (skipped: no model), web parity
and the manifest. About a minute and a half.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.web.common import BUILD, ROOT, NODE_ENV

NAME = "throwaway_ci"
IGNORE = shutil.ignore_patterns(".git", ".venv", ".cache", "node_modules", "build", "runs",
                                "__pycache__", "*.egg-info", ".pytest_cache")
PYTHON_TESTS = ["tests/test_envs.py", "tests/test_gym.py", "tests/test_binding_errors.py",
                "tests/test_autoreset.py", "tests/test_threads.py",
                "tests/test_sanitize.py", "tests/test_train.py", "tests/test_export.py",
                "tests/test_models.py", "tests/web/test_parity.py", "tests/test_server.py"]


def run(cmd, cwd, timeout=600):
    env = dict(NODE_ENV, PYTHONWARNINGS="ignore", PYTHONPATH=str(cwd))
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, f"{' '.join(cmd)} failed:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"
    return out.stdout


def test_new_env_passes_the_generic_tests(tmp_path):
    copy = tmp_path / "shiftplay"
    shutil.copytree(ROOT, copy, symlinks=True, ignore=IGNORE)  # keeps the built .so files
    os.symlink(os.path.join(ROOT, ".cache"), copy / ".cache")  # raylib for the web
    os.symlink(os.path.join(ROOT, "web", "node_modules"), copy / "web" / "node_modules")
    shutil.copytree(BUILD, copy / "web" / "build")

    run(["make", "new-env", f"NAME={NAME}"], copy)
    for path in (f"envs/{NAME}/{NAME}.h", f"envs/{NAME}/{NAME}_render.h",
                 f"train/configs/{NAME}.toml"):
        assert (copy / path).is_file(), path
    # The same name again is refused and changes nothing.
    again = subprocess.run(["make", "new-env", f"NAME={NAME}"], cwd=copy,
                           capture_output=True, text=True)
    assert again.returncode != 0 and "is taken" in again.stderr

    # Build in place (not `make build`: that would point this venv at the copy).
    run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], copy)
    run(["./build_web.sh", NAME], copy)
    with open(copy / "web" / "build" / "manifest.json", encoding="utf-8") as f:
        assert json.load(f)["envs"][NAME]["spec"]["name"] == NAME

    out = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k",
               f"{NAME} or every_env_has_a_config or manifest or api_envs", *PYTHON_TESTS],
              copy)
    assert " passed" in out and "failed" not in out, out
    # The new env really was tested (not all deselected).
    listing = run([sys.executable, "-m", "pytest", "-q", "--collect-only", "-k", NAME,
                   *PYTHON_TESTS], copy)
    assert listing.count(f"[{NAME}") >= 20, listing


def test_discovery_rule(tmp_path):
    from envs import discover
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "good.h").write_text("")
    (tmp_path / "good" / "good_render.h").write_text("")
    (tmp_path / "notes").mkdir()  # no header: not an env, not an error
    assert discover.env_names(str(tmp_path)) == ["good"]
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "half.h").write_text("")
    with pytest.raises(discover.BadEnv, match="no envs/half/half_render.h"):
        discover.env_names(str(tmp_path))
    (tmp_path / "half" / "half.h").unlink()
    (tmp_path / "Bad").mkdir()
    (tmp_path / "Bad" / "Bad.h").write_text("")
    with pytest.raises(discover.BadEnv, match="bad env name 'Bad'"):
        discover.env_names(str(tmp_path))


@pytest.mark.parametrize("name,why", [
    ("", "bad env name"), ("Pong", "bad env name"), ("9lives", "bad env name"),
    ("my-game", "bad env name"), ("a/b", "bad env name"), ("class", "Python keyword"),
    ("template", "reserved"), ("pong", "is taken"), ("vector", "is taken"),
])
def test_new_env_refuses(name, why):
    out = subprocess.run([sys.executable, os.path.join(ROOT, "envs", "new_env.py"), name],
                         capture_output=True, text=True)
    assert out.returncode != 0 and why in out.stderr, out.stderr
    assert not os.path.exists(os.path.join(ROOT, "train", "configs", f"{name}.toml")) or \
        name == "pong"
