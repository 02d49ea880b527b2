"""The real server under idle and slow connections (issue #14's reliability probe): with
waitress's defaults, 100 idle sockets locked every new visitor out for minutes and
slowloris sockets were never closed."""
import json
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest

import server
from tests.web.common import ROOT

# Short timeouts so the closing of idle and slow sockets is seen within seconds.
FAST = ["--channel-timeout", "4", "--request-timeout", "2"]


@pytest.fixture(scope="module")
def fast_server():
    """server.py with short timeouts, on a free port; yields (host, port)."""
    from bench.loadtest import start_server  # noqa: PLC0415

    proc, url = start_server(FAST)
    parts = urllib.parse.urlsplit(url)
    yield parts.hostname, parts.port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def visit(host, port, path="/", timeout=3.0):
    """One new visitor: a fresh connection, GET, whole body. Returns (status, seconds)."""
    import http.client

    t0 = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        return r.status, time.monotonic() - t0
    finally:
        conn.close()


def open_sockets(host, port, count, first_bytes=b""):
    socks = []
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=5)
        if first_bytes:
            s.sendall(first_bytes)
        socks.append(s)
    return socks


def closed_by_server(s):
    s.setblocking(False)
    try:
        return s.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_visitors_are_served_with_1000_idle_connections_open(fast_server):
    host, port = fast_server
    idle = open_sockets(host, port, 1000)
    try:
        time.sleep(0.5)
        for path in ("/", "/api/envs", "/static/style.css"):
            status, seconds = visit(host, port, path, timeout=5.0)
            assert status == 200, path
            assert seconds < 2.0, f"{path} took {seconds:.2f} s with 1000 idle sockets open"
    finally:
        for s in idle:
            s.close()


def test_slow_and_idle_connections_are_closed(fast_server):
    """Slowloris: a header line every 0.5 s never finishes the request; the server cuts it
    off after --request-timeout. Idle sockets go after --channel-timeout."""
    host, port = fast_server
    slow = open_sockets(host, port, 50, b"GET / HTTP/1.1\r\nHost: x\r\n")
    idle = open_sockets(host, port, 50)
    try:
        deadline = time.monotonic() + 12
        slow_closed = idle_closed = 0
        while time.monotonic() < deadline:
            for s in slow:
                try:
                    s.send(b"X-Slow: 1\r\n")
                except OSError:
                    pass
            time.sleep(0.5)
            slow_closed = sum(closed_by_server(s) for s in slow)
            idle_closed = sum(closed_by_server(s) for s in idle)
            if slow_closed == len(slow) and idle_closed == len(idle):
                break
        assert slow_closed == len(slow), f"{slow_closed} of {len(slow)} slow sockets closed"
        assert idle_closed == len(idle), f"{idle_closed} of {len(idle)} idle sockets closed"
        assert visit(host, port)[0] == 200
    finally:
        for s in slow + idle:
            s.close()


def test_loadtest_command_reports_json():
    cmd = [sys.executable, "-m", "bench.loadtest", "--seconds", "2", "--connections", "2",
           "--idle", "300", "--slow", "20", "--slow-interval", "1"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["requests"] > 0 and report["errors"] == 0, report
    for key in ("req_per_s", "p50_ms", "p99_ms", "idle_open_at_end", "slow_closed_by_server"):
        assert key in report


def test_loadtest_refuses_other_hosts():
    cmd = [sys.executable, "-m", "bench.loadtest", "--url", "http://example.com:80",
           "--seconds", "1", "--idle", "0", "--slow", "0"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "refusing" in out.stderr


def test_open_file_limit_is_raised_for_the_connection_limit():
    """Where the soft limit is the common 1024, the server raises it (up to the hard
    limit) to fit its connection limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"hard open-file limit {hard} < 4096")

    def lower():
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

    code = ("import resource, server; print(server.raise_open_file_limit(4256), "
            "resource.getrlimit(resource.RLIMIT_NOFILE)[0])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, preexec_fn=lower)
    assert out.stdout.split() == ["4256", "4256"], out.stdout + out.stderr


def test_server_flags_in_help():
    out = subprocess.run([sys.executable, "server.py", "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=30)
    for flag in ("--threads", "--connection-limit", "--channel-timeout", "--request-timeout"):
        assert flag in out.stdout
