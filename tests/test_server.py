"""server.py: routes, types, headers, compression, caching, errors, traversal, methods.

Most checks use Flask's test client; those about raw paths and the real WSGI stack go
through the real server (waitress, tests/web/conftest.py's server_url fixture)."""
import gzip
import http.client
import json
import os
import urllib.parse

import pytest

import envs
import server
from tests.web.common import BUILD, env_names
from tests.web.fixtures import server_url  # noqa: F401 - the real server, as a fixture

ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@pytest.fixture
def client():
    server.app.config.update(TESTING=False)
    return server.app.test_client()


@pytest.fixture
def built():
    name = next((n for n in env_names() if os.path.isfile(os.path.join(BUILD, n + ".wasm"))),
                None)
    if name is None:
        raise AssertionError("no env is built for the web: run `make web`")
    return name


def assert_isolated(response):
    for key, value in ISOLATION.items():
        assert response.headers.get(key) == value, key


# ---- pages and API ---------------------------------------------------------------------

def test_gallery_page(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert_isolated(r)
    body = r.get_data(as_text=True)
    for name in env_names():
        assert f'href="/play/{name}"' in body


def test_play_page_for_every_env(client):
    for name in env_names():
        r = client.get(f"/play/{name}")
        assert r.status_code == 200, name
        assert_isolated(r)
        assert 'id="game-canvas"' in r.get_data(as_text=True)


def test_api_envs(client):
    r = client.get("/api/envs")
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    assert_isolated(r)
    data = r.get_json()
    assert [e["name"] for e in data] == envs.list()
    for e in data:
        assert set(e) >= {"name", "title", "description", "controls", "built", "model"}
        assert e["built"] == os.path.isfile(os.path.join(BUILD, e["name"] + ".wasm"))
        assert e["model"] == os.path.isfile(f"web/models/{e['name']}.onnx")
        if e["built"]:
            assert e["title"] and e["description"] and e["controls"]


def test_api_reports_models(client, tmp_path, monkeypatch):
    name = env_names()[0]
    (tmp_path / f"{name}.onnx").write_bytes(b"\x08\x01fake onnx")
    monkeypatch.setitem(server.ASSET_ROOTS, "models", str(tmp_path))
    monkeypatch.setattr(server, "MODELS", str(tmp_path))
    data = {e["name"]: e for e in client.get("/api/envs").get_json()}
    assert data[name]["model"] is True
    r = client.get(f"/models/{name}.onnx")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert r.data == b"\x08\x01fake onnx"


# ---- assets: types, compression, caching -----------------------------------------------

def test_wasm_js_json_types(client, built):
    cases = {f"/build/{built}.wasm": "application/wasm", f"/build/{built}.js": "text/javascript",
             "/build/manifest.json": "application/json", "/static/play.js": "text/javascript",
             "/static/style.css": "text/css", "/static/favicon.svg": "image/svg+xml"}
    for url, mime in cases.items():
        r = client.get(url, headers={"Accept-Encoding": "identity"})
        assert r.status_code == 200, url
        assert r.mimetype == mime, url
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert_isolated(r)


def test_png_and_mjs_types(client, tmp_path, monkeypatch):
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "m.mjs").write_text("export {};")
    monkeypatch.setitem(server.ASSET_ROOTS, "static", str(tmp_path))
    assert client.get("/static/a.png").mimetype == "image/png"
    assert client.get("/static/m.mjs").mimetype == "text/javascript"


@pytest.mark.parametrize("accept,encoding,suffix", [
    ("br", "br", ".br"), ("gzip, deflate, br", "br", ".br"), ("gzip", "gzip", ".gz"),
    ("br;q=0, gzip", "gzip", ".gz"), ("identity", None, ""), ("", None, ""),
    ("*", "br", ".br"), ("gzip;q=0, br;q=0", None, ""),
])
def test_precompressed_siblings(client, built, accept, encoding, suffix):
    for ext in (".wasm", ".js"):
        path = os.path.join(BUILD, built + ext)
        r = client.get(f"/build/{built}{ext}", headers={"Accept-Encoding": accept})
        assert r.status_code == 200
        assert r.headers.get("Content-Encoding") == encoding
        assert "Accept-Encoding" in r.headers.get("Vary", "")
        with open(path + suffix, "rb") as f:
            assert r.data == f.read()
        assert r.mimetype == ("application/wasm" if ext == ".wasm" else "text/javascript")
        if encoding == "gzip":
            with open(path, "rb") as f:
                assert gzip.decompress(r.data) == f.read()


def test_etag_and_cache_control(client, built):
    url = f"/build/{built}.wasm"
    r = client.get(url, headers={"Accept-Encoding": "br"})
    etag = r.headers["ETag"]
    assert r.headers["Cache-Control"] == "no-cache"
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304
    other = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert other.status_code == 200, "each encoding has its own ETag"
    versioned = client.get(url + "?v=abc")
    assert "immutable" in versioned.headers["Cache-Control"]
    assert "max-age=31536000" in versioned.headers["Cache-Control"]
    assert client.get("/").headers["Cache-Control"] == "no-cache"


def test_head_matches_get(client, built):
    get = client.get(f"/build/{built}.wasm", headers={"Accept-Encoding": "gzip"})
    head = client.head(f"/build/{built}.wasm", headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers["Content-Encoding"] == "gzip"


def test_stale_sibling_is_ignored(client, tmp_path, monkeypatch):
    (tmp_path / "x.js").write_text("fresh();")
    (tmp_path / "x.js.gz").write_bytes(gzip.compress(b"stale();"))
    os.utime(tmp_path / "x.js.gz", (1, 1))
    monkeypatch.setitem(server.ASSET_ROOTS, "static", str(tmp_path))
    r = client.get("/static/x.js", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("Content-Encoding") is None
    assert r.data == b"fresh();"


def test_templates_use_versioned_assets(client):
    body = client.get("/").get_data(as_text=True)
    assert "/static/style.css?v=" in body and "/static/play.js?v=" in body


def test_manifest_lists_built_envs(built):
    with open(os.path.join(BUILD, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    assert built in m["envs"]
    for name, entry in m["envs"].items():
        spec = entry["spec"]
        # The wasm entry's spec says the same as the Python binding's, key for key
        # (the action kind and a continuous env's bounds included).
        native = envs.spec(name)
        for key, value in native.items():
            assert key in spec, (name, key)
            expected = pytest.approx(value) if isinstance(value, float) else value
            assert spec[key] == expected, (name, key)
        assert "obs_shape" in spec
        count = spec["action_dim"] if spec["action_kind"] == "continuous" else spec["num_actions"]
        assert len(spec["action_names"]) == count
        assert entry["sizes"]["total"]["gzip"] > 0


# ---- errors, traversal, methods --------------------------------------------------------

def test_unknown_env_is_a_404_page(client):
    r = client.get("/play/nope")
    assert r.status_code == 404
    assert r.mimetype == "text/html"
    assert "nope" in r.get_data(as_text=True)
    assert_isolated(r)
    assert client.get("/api/nope").get_json()["status"] == 404


TRAVERSALS = [
    "/static/../server.py", "/static/%2e%2e/server.py", "/static/%2E%2E%2Fserver.py",
    "/static/..%2fserver.py", "/static/..%2f..%2fetc%2fpasswd", "/static/%252e%252e/server.py",
    "/static/%252e%252e%252fserver.py", "/build/%2e%2e/%2e%2e/server.py",
    "/build/..%5c..%5cserver.py", "/static/..\\server.py", "/static//etc/passwd",
    "/static/%2fetc%2fpasswd", "/static/.", "/static/", "/static/%00", "/static/style.css%00",
    "/static/style.css/", "/static/./style.css", "/static/.hidden", "/ort/../../server.py",
    "/models/..%2f..%2fserver.py", "/play/..", "/play/%2e%2e", "/play/..%2f..%2fserver.py",
    "/play/pong%00", "/play/%252e%252e", "/static/%c0%ae%c0%ae/server.py", "/static/%ff",
    "/build/manifest.json%2f..%2f..%2fserver.py", "/%2e%2e/%2e%2e/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_attempts_are_404(client, path):
    r = client.get(path)
    assert r.status_code == 404, (path, r.status_code)
    assert b"import argparse" not in r.data and b"root:" not in r.data


def raw_get(url, path, method="GET", headers=None):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path", TRAVERSALS + ["/static/../../../../etc/passwd",
                                               "/build/../../server.py"])
def test_traversal_attempts_on_the_real_server(server_url, path):  # noqa: F811
    status, headers, body = raw_get(server_url, path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body and b"def main" not in body
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin" or status == 400


def test_play_url_with_and_without_trailing_slash(client):
    """/play/<env>/ is the static site's form of /play/<env>; both serve the same page."""
    plain = client.get("/play/pong")
    slashed = client.get("/play/pong/")
    assert plain.status_code == slashed.status_code == 200
    assert plain.data == slashed.data
    assert client.get("/play/nosuchenv/").status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/", "/api/envs", "/play/pong", "/static/style.css",
                                  "/nope", "/build/manifest.json"])
def test_only_get_and_head(client, method, path):
    r = client.open(path, method=method)
    assert r.status_code == 405, (method, path, r.status_code)
    assert r.headers["Allow"] == "GET, HEAD"
    assert_isolated(r)


@pytest.mark.parametrize("method", ["POST", "TRACE", "PROPFIND", "CONNECT"])
def test_bad_methods_on_the_real_server(server_url, method):  # noqa: F811
    status, headers, _ = raw_get(server_url, "/", method=method)
    assert status in (400, 405), (method, status)


WEIRD = ["/" + "a" * 5000, "/play/" + "x" * 3000, "/play/%", "/play/%zz", "/%", "/api/envs?x=%",
         "/static/style.css?v=%ff%fe", "/play/\u00e9", "/play/%e2%80%ae", "/build/",
         "/play/pong?seed=-1", "/static/" + "../" * 50, "/?" + "&" * 2000,
         "/static/play.js?v=1&v=2", "/play//pong", "/play/pong/", "/api/envs/"]


@pytest.mark.parametrize("path", WEIRD)
def test_bad_input_never_500(client, path):
    r = client.get(path, headers={"Accept-Encoding": "br;q=abc, gzip;q=, *;q=-1"})
    assert r.status_code < 500, (path, r.status_code)
    assert b"Traceback" not in r.data


@pytest.mark.parametrize("path", WEIRD + ["/play/%ff%fe", "/%00", "/static/\x7f"])
def test_bad_input_never_500_on_the_real_server(server_url, path):  # noqa: F811
    quoted = urllib.parse.quote(path, safe="/%?&=.")
    status, headers, body = raw_get(server_url, quoted,
                                    headers={"Accept-Encoding": "br;q=x", "Range": "bytes=zz"})
    assert status < 500, (path, status)
    assert b"Traceback" not in body and b"Werkzeug Debugger" not in body


def test_no_debug_by_default(client):
    assert server.app.debug is False
    body = client.get("/play/nope").get_data(as_text=True)
    assert "Traceback" not in body and "debugger" not in body.lower()


def test_command_line_help():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "server.py", "--help"], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0
    for flag in ("--host", "--port", "--debug"):
        assert flag in out.stdout


# ---- reliability probe (issue #14) -----------------------------------------------------

def test_compressed_response_names_the_real_file(client, built):
    r = client.get(f"/build/{built}.wasm", headers={"Accept-Encoding": "br"})
    assert r.headers.get("Content-Encoding") == "br"
    disposition = r.headers.get("Content-Disposition", "")
    assert disposition.endswith(f"filename={built}.wasm"), disposition


def test_404_page_does_not_echo_a_huge_name(client):
    r = client.get("/play/" + "q" * 100_000)
    assert r.status_code == 404
    body = r.get_data(as_text=True)
    assert "q" * 64 + "…" in body and "q" * 65 not in body
    assert len(r.data) < 20_000


@pytest.mark.parametrize("path", ["//play/pong", "///play/pong", "//static/style.css", "//"])
def test_leading_double_slash_is_404_on_the_real_server(server_url, path):  # noqa: F811
    status, headers, _ = raw_get(server_url, path)
    assert status == 404, (path, status)
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin"


def raw_exchange(url, data):
    """Sends raw bytes in pieces (stopping early if the server answers), returns the
    answer."""
    import select
    import socket

    parts = urllib.parse.urlsplit(url)
    chunks = []
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        for i in range(0, len(data), 8192):
            if select.select([s], [], [], 0)[0]:
                break
            try:
                s.sendall(data[i:i + 8192])
            except OSError:
                break
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    return b"".join(chunks)


@pytest.mark.parametrize("request_bytes,status", [
    (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", b"400"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n", b"431"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b"400"),
])
def test_waitress_errors_carry_security_headers(server_url, request_bytes, status):  # noqa: F811
    answer = raw_exchange(server_url, request_bytes)
    head = answer.split(b"\r\n\r\n", 1)[0]
    assert head.split(b" ")[1] == status, head
    for key, value in server.SECURITY_HEADERS:
        assert f"{key}: {value}".encode() in head, (key, head)


def test_queue_depth_warnings_are_summarised():
    import logging

    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    logger = logging.getLogger("shiftplay.test.queue")
    logger.propagate = False
    logger.addHandler(Keep())
    logger.addFilter(server.QueueDepthSummary(interval=60.0))
    for depth in range(1, 5001):
        logger.warning("Task queue depth is %d", depth % 700)
    assert len(seen) == 1, seen[:3]
    assert seen[0].startswith("Task queue depth is 1 (peak 1, 0 more")
