"""Load benchmark for server.py: visitors plus idle and slow (slowloris) sockets.

    python -m bench.loadtest [--seconds 10] [--connections 16] [--idle 1000] [--slow 100]
    make loadtest

Starts `server.py --port 0` (extra flags via --server-arg) unless --url names a server
that is already running, which must be on this machine (127.0.0.1, ::1 or localhost).
Then, for --seconds:
  - `--idle` sockets connect and send nothing (reopened if the server closes them);
  - `--slow` sockets send a request line, then one header line every --slow-interval s,
    never finishing the request;
  - `--connections` visitor threads each GET the --path list in turn, one new connection
    per request (a new visitor), with a --timeout per request.
Prints one JSON line: requests, req/s, p50/p99/max latency (ms) and errors (with kinds),
and how many idle and slow sockets the server closed. Everything is bounded: at most
256 visitors, 5000 idle, 5000 slow sockets and 600 s; it stops by itself.
"""
import argparse
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCAL_HOSTS = ("127.0.0.1", "::1", "localhost")
LIMITS = {"connections": 256, "idle": 5000, "slow": 5000, "seconds": 600}


def start_server(extra_args):
    """Runs server.py on a free port; returns (process, base URL)."""
    cmd = [sys.executable, os.path.join(ROOT, "server.py"), "--host", "127.0.0.1",
           "--port", "0"] + list(extra_args)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if "serving on http://" in line:
            url = line.split("serving on ", 1)[1].strip().rstrip("/")
            threading.Thread(target=drain, args=(proc.stdout,), daemon=True).start()
            return proc, url
    proc.kill()
    raise SystemExit("server.py did not start:\n" + "".join(seen))


def drain(stream):
    for _ in stream:
        pass


class Sockets:
    """Idle or slow sockets held open against the server for the whole run."""

    def __init__(self, host, port, count, slow_interval=None):
        self.host, self.port = host, port
        self.count = count
        self.slow_interval = slow_interval
        self.socks = []
        self.closed_by_server = 0
        self.open_failures = 0

    def open_one(self):
        try:
            s = socket.create_connection((self.host, self.port), timeout=5)
            s.setblocking(False)
            if self.slow_interval is not None:
                s.send(b"GET / HTTP/1.1\r\nHost: loadtest\r\n")
            return s
        except OSError:
            self.open_failures += 1
            return None

    def open_all(self):
        for _ in range(self.count):
            s = self.open_one()
            if s is not None:
                self.socks.append(s)

    def tend(self, keep_open):
        """One round: send a header line on slow sockets, notice and replace closed ones
        (replaced only for idle sockets when keep_open)."""
        alive = []
        for s in self.socks:
            if self.is_closed(s):
                self.closed_by_server += 1
                s.close()
                if keep_open:
                    fresh = self.open_one()
                    if fresh is not None:
                        alive.append(fresh)
                continue
            alive.append(s)
        self.socks = alive

    def is_closed(self, s):
        try:
            if self.slow_interval is not None:
                s.send(b"X-Slow: 1\r\n")
            data = s.recv(65536)
            return True if not data else False  # b"" is EOF; a response means it ended
        except BlockingIOError:
            return False
        except OSError:
            return True

    def close(self):
        for s in self.socks:
            s.close()
        self.socks = []


def visitor(host, port, paths, timeout, stop, results, index):
    """GETs paths in turn, one new connection each, until `stop` is set."""
    k = index
    while not stop.is_set():
        path = paths[k % len(paths)]
        k += 1
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Accept-Encoding": "gzip, br"})
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                results.append(("error", f"HTTP {response.status}"))
            else:
                results.append(("ok", time.perf_counter() - t0))
        except (OSError, http.client.HTTPException) as e:
            results.append(("error", type(e).__name__))
        finally:
            conn.close()


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = min(len(sorted_values) - 1, int(round(q * (len(sorted_values) - 1))))
    return sorted_values[i]


def run(url, seconds, connections, idle, slow, slow_interval, paths, timeout):
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"refusing to load {host}: only 127.0.0.1, ::1 or localhost")
    idle_socks = Sockets(host, port, idle)
    slow_socks = Sockets(host, port, slow, slow_interval=slow_interval)
    idle_socks.open_all()
    slow_socks.open_all()
    stop = threading.Event()
    results = []
    threads = [threading.Thread(target=visitor, daemon=True,
                                args=(host, port, paths, timeout, stop, results, i))
               for i in range(connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    next_slow = start + slow_interval
    while time.monotonic() - start < seconds:
        time.sleep(min(1.0, max(0.0, seconds - (time.monotonic() - start))))
        idle_socks.tend(keep_open=True)
        if time.monotonic() >= next_slow:
            slow_socks.tend(keep_open=False)
            next_slow += slow_interval
    stop.set()
    for t in threads:
        t.join(timeout + 5)
    elapsed = time.monotonic() - start
    idle_left, slow_left = len(idle_socks.socks), len(slow_socks.socks)
    idle_socks.close()
    slow_socks.close()
    latencies = sorted(v for kind, v in results if kind == "ok")
    errors = {}
    for kind, v in results:
        if kind == "error":
            errors[v] = errors.get(v, 0) + 1
    ms = lambda v: None if v is None else round(v * 1000.0, 2)  # noqa: E731
    return {
        "url": url, "seconds": round(elapsed, 2), "connections": connections,
        "idle": idle, "slow": slow, "slow_interval_s": slow_interval,
        "requests": len(latencies), "errors": sum(errors.values()), "error_kinds": errors,
        "req_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": ms(percentile(latencies, 0.50)), "p99_ms": ms(percentile(latencies, 0.99)),
        "max_ms": ms(latencies[-1] if latencies else None),
        "idle_open_at_end": idle_left, "idle_closed_by_server": idle_socks.closed_by_server,
        "slow_open_at_end": slow_left, "slow_closed_by_server": slow_socks.closed_by_server,
        "socket_open_failures": idle_socks.open_failures + slow_socks.open_failures,
    }


def bounded(name):
    def check(text):
        value = float(text) if name == "seconds" else int(text)
        if not 0 <= value <= LIMITS[name]:
            raise argparse.ArgumentTypeError(f"{name} must be in [0, {LIMITS[name]}]")
        return value
    return check


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="a running server on this machine (default: start one)")
    p.add_argument("--server-arg", action="append", default=[],
                   help="extra flag for the started server.py, e.g. --server-arg=--threads=8")
    p.add_argument("--seconds", type=bounded("seconds"), default=10.0)
    p.add_argument("--connections", type=bounded("connections"), default=16,
                   help="concurrent visitors")
    p.add_argument("--idle", type=bounded("idle"), default=1000, help="idle sockets")
    p.add_argument("--slow", type=bounded("slow"), default=100, help="slowloris sockets")
    p.add_argument("--slow-interval", type=float, default=5.0,
                   help="seconds between a slow socket's header lines")
    p.add_argument("--timeout", type=float, default=5.0, help="per request, seconds")
    p.add_argument("--path", action="append", dest="paths",
                   help="path to GET (repeatable); default: /, /api/envs, /static/style.css")
    args = p.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.idle + args.slow + args.connections + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    paths = args.paths or ["/", "/api/envs", "/static/style.css"]
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server(args.server_arg)
    try:
        report = run(url, args.seconds, args.connections, args.idle, args.slow,
                     args.slow_interval, paths, args.timeout)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if args.server_arg:
        report["server_args"] = args.server_arg
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
