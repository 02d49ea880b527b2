"""The static site (`make site`): plain files under a sub-path of a plain host.

The site is built into <tmp>/shiftplay/ and served by `python -m http.server` (no
COOP/COEP, no brotli, no custom types), and once by a host that gzips what it sends, as
GitHub Pages does. Its files use relative URLs only; the gallery links to the play pages
and back; every play page draws, the trained model takes over (one thread, not
cross-origin isolated) and Shift hands the game over and back, with no console error; a
missing model falls back to the baseline (test_onnx.py, on both hosts); bad paths get the
host's 404.
"""
import functools
import gzip
import http.server
import importlib.util
import json
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.web.common import ROOT, manifest
from tests.web.test_onnx import MODEL_PLAYS, READY, SHIPPED
from tests.web.test_pages import (ENVS, SNAPSHOT, assert_same_episode, human_move,
                                  release_shift, state, wait_steps)

URL_ATTR = re.compile(r'\b(?:href|src)="([^"]*)"')
# A root-relative URL of one of the site's folders, in any quoted string (attributes, the
# page config, the scripts): it would miss the sub-path the site is served under.
ROOTED = re.compile(r"""["'`](/(?:static|build|models|ort|api|play)\b[^"'`]*)""")


def header_envs():
    return sorted(n for n in os.listdir("envs") if os.path.isfile(f"envs/{n}/{n}.h"))


def test_the_site_holds_every_page_and_file_with_relative_urls_only(static_site):
    htmls = sorted(static_site.rglob("*.html"))
    pages = {p.relative_to(static_site).as_posix() for p in htmls}
    assert pages == {"index.html"} | {f"play/{n}/index.html" for n in header_envs()}
    for html in htmls:
        text = html.read_text(encoding="utf-8")
        assert ROOTED.findall(text) == [], html
        urls = URL_ATTR.findall(text)
        assert urls, html
        for url in urls:
            assert not url.startswith(("/", "http:", "https:")), f"{html}: {url} is not relative"
            target = (html.parent / url.split("?")[0].split("#")[0]).resolve()
            if url.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{html}: {url} points to nothing"
            assert static_site.resolve() in target.parents, f"{html}: {url} leaves the site"
    for script in sorted((static_site / "static").glob("*.js")):
        assert ROOTED.findall(script.read_text(encoding="utf-8")) == [], script
    # What server.py serves as JSON is here as files.
    with open(static_site / "api" / "envs.json") as f:
        assert [e["name"] for e in json.load(f)] == header_envs()
    with open(static_site / "build" / "manifest.json") as f:
        assert json.load(f)["envs"] == manifest()["envs"]
    # Plain files: no precompressed siblings, the raw wasm (hosts compress it themselves).
    files = [p for p in static_site.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".br", ".gz")]
    wasm = [p for p in files if p.suffix == ".wasm"]
    assert {p.name for p in wasm} >= {f"{n}.wasm" for n in manifest()["envs"]}
    assert any(p.parent.name == "ort" for p in wasm), "onnxruntime-web's wasm is missing"
    for p in wasm:
        with open(p, "rb") as f:
            assert f.read(4) == b"\0asm", p


def load_builder():
    """web/tools/build_site.py as a module."""
    path = os.path.join(ROOT, "web", "tools", "build_site.py")
    spec = importlib.util.spec_from_file_location("build_site", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_failed_build_keeps_the_last_site(tmp_path, monkeypatch):
    builder = load_builder()
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the last site")
    urls = builder.server.site_urls()
    monkeypatch.setattr(builder.server, "site_urls", lambda: urls + ["/models/missing.onnx"])
    with pytest.raises(builder.SiteError, match="missing.onnx: HTTP 404"):
        builder.build(str(out))
    assert (out / "index.html").read_text() == "the last site"
    assert os.listdir(tmp_path) == ["site"], "no temporary folder is left behind"


def test_gallery_links_to_the_play_pages_and_back(page, static_site_url):
    page.goto(static_site_url + "/")
    names = sorted(manifest()["envs"])
    for name in names:
        assert page.locator(f'a.card[href="./play/{name}/"]').count() == 1
        page.wait_for_selector(f'a.card[data-env="{name}"].preview-live')
    page.click(f'a.card[data-env="{names[0]}"]')
    page.wait_for_url(f"{static_site_url}/play/{names[0]}/")
    page.wait_for_function("window.shiftplay && shiftplay.game.totalSteps > 0")
    page.click("header a.brand")
    page.wait_for_url(f"{static_site_url}/")
    assert page.console.errors == []


@pytest.mark.parametrize("name", ENVS)
def test_each_page_draws_the_model_takes_over_and_shift_hands_over_and_back(
        page, static_site_url, name):
    """On a host without cross-origin isolation: onnxruntime-web on one thread, no warning."""
    requested = []  # the page's requests and its model worker's
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{static_site_url}/play/{name}/?seed=5")
    page.wait_for_function("window.shiftplay && shiftplay.game.totalSteps > 0")
    assert page.evaluate(SNAPSHOT)["colors"] >= 3, "the canvas looks blank"
    assert page.evaluate("crossOriginIsolated") is False
    if name in SHIPPED:  # the trained model, not the baseline
        page.wait_for_function(READY, timeout=60000)
        page.wait_for_function(MODEL_PLAYS)
        assert page.inner_text("#policy-name") == "Trained policy (PPO)"
    before = state(page)
    page.keyboard.down("Shift")
    page.wait_for_function("document.getElementById('control').textContent === 'YOU'")
    if manifest()["envs"][name]["spec"].get("turn_based"):  # it waits for the human's move
        page.wait_for_function("shiftplay.game.awaitingHuman")
        human_move(page, manifest()["envs"][name]["spec"], state(page))
    else:
        wait_steps(page, 3)
    taken = state(page)
    assert taken["control"] == "YOU" and taken["humanSteps"] > before["humanSteps"]
    assert_same_episode(before, taken, "taking over")
    released = release_shift(page)
    wait_steps(page, 3)
    after = state(page)
    assert after["control"] == "BOT" and after["humanSteps"] == released["humanSteps"]
    assert_same_episode(taken, after, "handing back")
    if name in SHIPPED:
        page.wait_for_function(MODEL_PLAYS)
    assert page.console.errors == []
    assert not [w for w in page.console.warnings if "thread" in w.lower()], page.console.warnings
    # Each file the page's code loads came once: its preloads have the URLs the modules
    # fetch. (Not the favicon: the browser may fetch it again when the URL changes.) The
    # model's worker loads onnxruntime-web and the model, and its own copy of the modules
    # it imports (a worker has its own module map).
    urls = [u for u in requested if re.search(r"/(build|models|ort)/|\.m?js(\?|$)", u)]
    assert any("/ort/" in u for u in urls) == (name in SHIPPED), urls
    assert sorted({u for u in urls if urls.count(u) > 1}) == []
    if name in SHIPPED:
        assert page.evaluate("shiftplay.model.runsIn") == "worker"
        page_urls = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
        assert not [u for u in page_urls if "/ort/" in u], "the page fetched the worker's files too"


def test_baseline_query_fetches_no_model_on_the_static_site(page, static_site_url):
    """?policy=baseline: the scripted bot plays and neither onnxruntime-web nor the model
    is downloaded (the preloads are decided from the page's URL, as under server.py)."""
    name = SHIPPED[0]
    page.goto(f"{static_site_url}/play/{name}/?policy=baseline&seed=3")
    page.wait_for_function("window.shiftplay && shiftplay.game.totalSteps > 30")
    assert page.inner_text("#policy-name") == "Scripted baseline (C)"
    paths = [urllib.parse.urlsplit(u).path for u in
             page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")]
    assert not [p for p in paths if "/ort/" in p or "/models/" in p], paths
    assert page.console.errors == []


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_bad_paths_get_the_hosts_404(page, static_site_url):
    for path in ("/play/no_such_env/", "/play/no_such_env", "/nope.html", "/static/nope.js",
                 "/models/no_such_env.onnx"):
        assert status_of(static_site_url + path) == 404, path
    response = page.goto(f"{static_site_url}/play/no_such_env/")
    assert response.status == 404


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static host that sends files gzip-encoded when the client accepts it (as GitHub
    Pages does), never brotli."""

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        try:
            with open(path, "rb") as f:
                body = gzip.compress(f.read(), compresslevel=1)
        except OSError:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def log_message(self, *args):
        pass


class _Body:
    def __init__(self, data):
        self.data = data

    def read(self, *args):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


@pytest.fixture(scope="module")
def gzip_site_url(static_site):
    handler = functools.partial(GzipHandler, directory=str(static_site.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{static_site.name}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.skipif(not SHIPPED, reason="no shipped model")
def test_the_model_runs_when_the_host_sends_gzip_only(page, gzip_site_url):
    name = SHIPPED[0]
    encodings = {}
    page.on("response", lambda r: encodings.update(
        {r.url.split("?")[0].rsplit("/", 1)[-1]: r.headers.get("content-encoding")}))
    page.goto(f"{gzip_site_url}/play/{name}/")
    page.wait_for_function(READY, timeout=60000)
    page.wait_for_function(MODEL_PLAYS)
    assert encodings.get("ort-wasm-simd-threaded.wasm") == "gzip"
    assert encodings.get(f"{name}.wasm") == "gzip"
    # The progress bar counts decompressed bytes, as many as the page config says.
    status = page.evaluate("shiftplay.policyStatus")
    assert status["state"] == "ready" and status["loaded"] == status["total"] > 10**6, status
    assert page.console.errors == []
