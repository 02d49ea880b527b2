"""The servers as pytest fixtures, shared by the browser and the server tests: server.py
(the development server) and the static site (`make site`) under `python -m http.server`."""
import os
import queue
import re
import subprocess
import sys
import threading

import pytest

from tests.web.common import ROOT

# The static site's sub-path on its host, as GitHub Pages serves a project site.
SITE_PREFIX = "shiftplay"


def start(cmd, marker, cwd=ROOT):
    """Starts `cmd`; returns (process, http://host:port from its line that says `marker`)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen = []
    while True:
        try:
            line = lines.get(timeout=30)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        found = re.search(r"http://[^\s/)]+", line) if marker in line else None
        if found:
            return proc, found.group(0)
    proc.kill()
    raise RuntimeError(f"{cmd[1:3]} did not start:\n" + "".join(seen))


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def server_url():
    """Starts `python server.py --port 0` (waitress) and yields its base URL."""
    proc, url = start([sys.executable, "server.py", "--host", "127.0.0.1", "--port", "0"],
                      "serving on ")
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def static_site(tmp_path_factory):
    """The static site, built as `make site` builds it, in <tmp>/shiftplay/."""
    host_dir = tmp_path_factory.mktemp("host")
    out = subprocess.run([sys.executable, os.path.join("web", "tools", "build_site.py"),
                          "--out", str(host_dir / SITE_PREFIX)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise AssertionError(f"web/tools/build_site.py failed:\n{out.stderr}")
    return host_dir / SITE_PREFIX


@pytest.fixture(scope="session")
def static_site_url(static_site):
    """`python -m http.server` (no custom headers) serving the static site's parent folder
    on a free loopback port; yields the site's URL, a sub-path of the host."""
    proc, url = start([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                       "--directory", str(static_site.parent)], "Serving HTTP on")
    yield f"{url}/{SITE_PREFIX}"
    stop(proc)


@pytest.fixture(params=["server", "static"])
def host_url(request):
    """The base URL of server.py, then of the static site: the checks that must hold on both."""
    return request.getfixturevalue("server_url" if request.param == "server"
                                   else "static_site_url")
