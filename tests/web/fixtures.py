"""The real server as a pytest fixture, shared by the browser and the server tests."""
import queue
import subprocess
import sys
import threading

import pytest

from tests.web.common import ROOT


@pytest.fixture(scope="session")
def server_url():
    """Starts `python server.py --port 0` (waitress) and yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "server.py", "--host", "127.0.0.1", "--port", "0"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    url = None
    seen = []
    while url is None:
        try:
            line = lines.get(timeout=30)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if "serving on http://" in line:
            url = line.split("serving on ", 1)[1].strip().rstrip("/")
    if url is None:
        proc.kill()
        raise RuntimeError("server.py did not start:\n" + "".join(seen))
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
