"""The play page's first frame and model takeover against what this browser and machine
allow, one JSON line per env and page kind (a benchmark, not a test):

    python -m bench.first_frame [env ...] [--rounds 3] [--seconds 5]     (make bench-page)

Builds the static site (web/tools/build_site.py, into a temp folder), serves it with a
plain `http.server` (no special headers, as a static host would), and loads each page in
a fresh headless Chromium (software GL), alternating, `rounds` times:

- floor: a bare page that creates a WebGL context and draws every frame (the floor of
  ../shared/tools/page_timing.py), before each env's pages in each round;
- bare: the env alone: the game's canvas, and an inline script right after it that loads
  the env's script and wasm and draws a frame every animation frame: none of the play
  page's stylesheets, modules, text, panels or model;
- bare_model: the same, plus the play page's own model worker (its #model-boot script,
  copied from the built page), the model counted as ready when the worker says so;
- play: the play page itself.

Per load: the first WebGL draw (ms after navigation), when a policy other than the
baseline first plays (model_ms; bare_model: when its worker is ready), frames per second
from then on. Each line holds the medians over the rounds for one env and kind, with the
floor's medians over the whole run and the ratios first_draw / floor and fps / floor.
"""
import argparse
import functools
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench.ort import shipped_envs
from web.tools.local import CHROMIUM, CHROMIUM_ARGS, ROOT, manifest

KINDS = ["bare", "bare_model", "play"]

# Installed before any page script: the first draw call's time.
FIRST_DRAW = """(() => {
  window.__firstDraw = null;
  for (const C of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    if (!C) continue;
    for (const f of ['drawArrays', 'drawElements']) {
      const original = C.prototype[f];
      C.prototype[f] = function (...a) {
        if (window.__firstDraw === null) window.__firstDraw = performance.now();
        return original.apply(this, a);
      };
    }
  }
})();"""

FLOOR_PAGE = """<!doctype html><html><body><canvas id="c" width="640" height="480"></canvas><script>
const gl = document.getElementById('c').getContext('webgl');
window.shiftplay = { game: { frames: 0, policy: { name: 'floor' } } };
function frame() {
  gl.clearColor(Math.random(), 0, 0, 1); gl.clear(gl.COLOR_BUFFER_BIT);
  gl.drawArrays(gl.TRIANGLES, 0, 0); window.shiftplay.game.frames++;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
</script></body></html>"""

# The env alone: its context as the play page makes it (play.js leanContext), its module
# instantiated from its preloaded wasm, one step and one render per animation frame.
BARE_ENV = """<script>
(() => {
  const canvas = document.getElementById('game-canvas');
  const gl = canvas.getContext('webgl', { alpha: false, antialias: false, depth: false, stencil: false });
  const used = (gl.getSupportedExtensions() || []).filter((n) => n === 'OES_vertex_array_object');
  gl.getSupportedExtensions = () => used.slice();
  window.shiftplay = { game: { frames: 0, policy: { name: 'baseline' } } };
  const wasm = fetch('@WASM_URL@', { credentials: 'same-origin' });
  const script = document.createElement('script');
  script.src = '@JS_URL@';
  script.onload = () => window[@EXPORT@]({ canvas, instantiateWasm(imports, receive) {
    wasm.then((r) => WebAssembly.instantiateStreaming(r, imports)).then((r) => receive(r.instance, r.module));
    return {};
  } }).then((mod) => {
    mod._sp_create(1, 0, 0);
    mod._sp_render_init();
    const frame = () => {
      mod._sp_step();
      mod._sp_render(0);
      window.shiftplay.game.frames++;
      requestAnimationFrame(frame);
    };
    frame();
  });
  document.head.appendChild(script);
})();
</script>"""

# bare_model: the play page's worker, and its 'ready' marks the model as playing.
READY_HOOK = """<script>
(() => {
  const boot = document.getElementById('model-boot');
  if (!boot || !boot.worker) return;
  boot.worker.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'ready' && window.shiftplay) window.shiftplay.game.policy.name = 'model';
  });
})();
</script>"""


def bare_pages(site, name):
    """Writes bench/<name>/bare.html and bare_model.html next to the built play page (the
    same depth, so the play page's relative URLs hold) and returns their site paths."""
    with open(os.path.join(site, "play", name, "index.html")) as f:
        page = f.read()
    config_tag = re.search(r'<script type="application/json" id="play-config">.*?</script>', page, re.S)
    canvas = re.search(r'<canvas id="game-canvas".*?</canvas>', page, re.S)
    if not config_tag or not canvas:
        raise SystemExit(f"play/{name}/index.html has no play-config or game canvas")
    entry = json.loads(config_tag.group(0).split(">", 1)[1].rsplit("<", 1)[0])["entry"]
    head = '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
    root = "../../"
    v = "?v=" + entry["version"] if entry.get("version") else ""
    boot = (BARE_ENV.replace("@WASM_URL@", root + "build/" + entry["wasm"] + v)
            .replace("@JS_URL@", root + "build/" + entry["js"] + v)
            .replace("@EXPORT@", json.dumps(entry["export_name"])))
    body = ('<body style="margin:0;background:#0a0c13">' + canvas.group(0) + boot)
    model_boot = re.search(r'<script id="model-boot">.*?</script>', page, re.S)
    folder = os.path.join(site, "bench", name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "bare.html"), "w") as f:
        f.write(head + "</head>" + body + "</body></html>")
    if model_boot:
        with open(os.path.join(folder, "bare_model.html"), "w") as f:
            f.write(head + config_tag.group(0) + model_boot.group(0) + "</head>"
                    + body + READY_HOOK + "</body></html>")
    return {"bare": f"bench/{name}/bare.html",
            "bare_model": f"bench/{name}/bare_model.html" if model_boot else None,
            "play": f"play/{name}/"}


def serve(folder):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def load(pw, url, seconds):
    """One load in a fresh browser: first draw, model time and fps after it (or after the
    first draw where no model plays)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(FIRST_DRAW)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)[:160]))
    page.goto(url, wait_until="commit")
    end = time.time() + seconds
    model_ms = None
    start = None
    while time.time() < end:
        r = page.evaluate("""() => { const g = window.shiftplay && window.shiftplay.game;
            return { now: performance.now(), draw: window.__firstDraw, frames: g ? g.frames : 0,
                     policy: g && g.policy ? String(g.policy.name || '') : '' }; }""")
        if model_ms is None and r["policy"] and r["policy"] not in ("baseline", "floor"):
            model_ms = r["now"]
            start = r
        if start is None and r["draw"] is not None and r["now"] - r["draw"] > 1000:
            start = r  # no model yet: fps from a second after the first draw
        page.wait_for_timeout(25)
    r = page.evaluate("() => ({ now: performance.now(), draw: window.__firstDraw, "
                      "frames: window.shiftplay ? window.shiftplay.game.frames : 0 })")
    browser.close()
    fps = None
    if start is not None and r["now"] > start["now"]:
        fps = (r["frames"] - start["frames"]) / ((r["now"] - start["now"]) / 1000)
    return {"first_draw_ms": r["draw"], "model_ms": model_ms, "fps": fps, "errors": errors}


def median(loads, key):
    values = [x[key] for x in loads if x[key] is not None]
    return round(statistics.median(values), 1) if values else None


def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("envs", nargs="*", help="default: every built env with a model")
    parser.add_argument("--rounds", type=int, default=3, help="loads of each page (alternating)")
    parser.add_argument("--seconds", type=float, default=5, help="each load's length")
    args = parser.parse_args(argv)
    names = args.envs or shipped_envs()
    built = manifest().get("envs", {})
    missing = [n for n in names if n not in built]
    if not names or missing:
        what = ", ".join(missing) if missing else "no env with a model"
        print(json.dumps({"error": f"not built for the web: {what}; run `make web`"}))
        return 1
    from playwright.sync_api import sync_playwright

    tmp = tempfile.mkdtemp(prefix="shiftplay-bench-")
    try:
        site = os.path.join(tmp, "site")
        build = [sys.executable, os.path.join(ROOT, "web", "tools", "build_site.py"), "--out", site]
        out = subprocess.run(build, cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(json.dumps({"error": "build_site.py failed", "detail": out.stderr[-2000:]}))
            return 1
        with open(os.path.join(site, "bench_floor.html"), "w") as f:
            f.write(FLOOR_PAGE)
        pages = {name: bare_pages(site, name) for name in names}
        server, url = serve(site)
        floor = []
        loads = {(name, kind): [] for name in names for kind in KINDS}
        with sync_playwright() as pw:
            for _ in range(args.rounds):
                for name in names:
                    floor.append(load(pw, f"{url}/bench_floor.html", args.seconds))
                    for kind in KINDS:
                        if pages[name][kind]:
                            page_url = f"{url}/{pages[name][kind]}"
                            loads[(name, kind)].append(load(pw, page_url, args.seconds))
        server.shutdown()
        server.server_close()
        floor_draw, floor_fps = median(floor, "first_draw_ms"), median(floor, "fps")
        for (name, kind), got in loads.items():
            if not got:
                continue
            draw, model, fps = median(got, "first_draw_ms"), median(got, "model_ms"), median(got, "fps")
            after = [x["model_ms"] - x["first_draw_ms"] for x in got
                     if x["model_ms"] is not None and x["first_draw_ms"] is not None]
            print(json.dumps({
                "env": name, "page": kind, "loads": len(got), "first_draw_ms": draw, "model_ms": model,
                "model_after_first_draw_ms": round(statistics.median(after), 1) if after else None,
                "fps": fps, "floor_first_draw_ms": floor_draw, "floor_fps": floor_fps,
                "first_draw_vs_floor": ratio(draw, floor_draw), "fps_vs_floor": ratio(fps, floor_fps),
                "errors": sum((x["errors"] for x in got), [])[:3],
                "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
            }), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main())
