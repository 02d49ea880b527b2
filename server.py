"""ShiftPlay web server: the gallery, one play page per env, the env list, static assets.

    python server.py [--host 127.0.0.1] [--port 8000] [--debug]

Serves with waitress (Flask's development server only with --debug). Every response
carries COOP/COEP/CORP headers (cross-origin isolation, needed later by threaded
onnxruntime-web); assets are served with their proper types, ETags, and precompressed
.br/.gz siblings when the client accepts them. Only GET and HEAD are allowed.
"""
import argparse
import hashlib
import json
import logging
import mimetypes
import os
import re
import sys
import time

from flask import Flask, jsonify, make_response, render_template, request, send_file
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.task import ErrorTask
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from envs import discover

ROOT = os.path.dirname(os.path.abspath(__file__))
WEB = os.path.join(ROOT, "web")
ENVS_DIR = os.path.join(ROOT, "envs")
BUILD = os.path.join(WEB, "build")
MODELS = os.path.join(WEB, "models")

# URL prefix -> folder served under it.
ASSET_ROOTS = {
    "static": os.path.join(WEB, "static"),
    "build": BUILD,
    "models": MODELS,
    "ort": os.path.join(WEB, "node_modules", "onnxruntime-web", "dist"),
}

TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".onnx": "application/octet-stream",
    ".txt": "text/plain; charset=utf-8",
}

# Precompressed siblings, best first: (Accept-Encoding token, file suffix).
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))

ENV_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
SAFE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,199}$")
LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

app = Flask(__name__, template_folder=os.path.join(WEB, "templates"), static_folder=None)
app.url_map.strict_slashes = True
app.url_map.merge_slashes = False  # "//x" is not "/x": no redirects, a plain 404
# (a leading "//" is caught by one_leading_slash: waitress strips it before Flask sees it)
log = logging.getLogger("shiftplay.server")


# ---- envs ------------------------------------------------------------------------------

def env_names():
    """Every env (envs/discover.py's rule), sorted; [] with a logged error if the env
    folders are broken (make build says why)."""
    try:
        return discover.env_names(ENVS_DIR)
    except (OSError, discover.BadEnv) as e:
        log.error("cannot list the envs: %s", e)
        return []


_manifest_cache = {"key": None, "value": {}}


def manifest():
    """web/build/manifest.json (written by build_web.sh), reloaded when it changes."""
    path = os.path.join(BUILD, "manifest.json")
    try:
        st = os.stat(path)
        key = (st.st_mtime_ns, st.st_size)
    except OSError:
        return {}
    if _manifest_cache["key"] != key:
        try:
            with open(path, encoding="utf-8") as f:
                value = json.load(f)
            if not isinstance(value, dict):
                value = {}
        except (OSError, ValueError):
            value = {}
        _manifest_cache.update(key=key, value=value)
    return _manifest_cache["value"]


_native_specs = {}


def native_spec(name):
    """The spec from the compiled Python binding (make build), or None."""
    if name not in _native_specs:
        try:
            import envs  # noqa: PLC0415 - optional, only for envs not built for the web
            _native_specs[name] = envs.spec(name)
        except Exception:  # noqa: BLE001 - not compiled, numpy missing, ...
            _native_specs[name] = None
    return _native_specs[name]


def built_entry(name):
    """The manifest entry of `name` if its .js and .wasm are present, else None."""
    entry = manifest().get("envs", {}).get(name)
    if not isinstance(entry, dict):
        return None
    for key in ("js", "wasm"):
        file = entry.get(key)
        if not isinstance(file, str) or not os.path.isfile(os.path.join(BUILD, file)):
            return None
    return entry


def env_info(name):
    entry = built_entry(name)
    spec = (entry or {}).get("spec") or native_spec(name) or {}
    return {
        "name": name,
        "title": spec.get("title") or name.capitalize(),
        "description": spec.get("description") or "",
        "controls": spec.get("controls") or "",
        "built": entry is not None,
        "model": os.path.isfile(os.path.join(MODELS, name + ".onnx")),
    }


# ---- assets ----------------------------------------------------------------------------

def resolve_asset(root, rel):
    """The real path of file `rel` inside `root`, or None: no traversal, no dotfiles."""
    if not rel or len(rel) > 1024:
        return None
    parts = rel.split("/")
    if any(not SAFE_PART.match(p) for p in parts):
        return None
    root_real = os.path.realpath(root)
    path = os.path.realpath(os.path.join(root_real, *parts))
    if not path.startswith(root_real + os.sep) or not os.path.isfile(path):
        return None
    return path


def content_type(path):
    ext = os.path.splitext(path)[1].lower()
    if ext in TYPES:
        return TYPES[ext]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def file_version(path):
    """Short content-independent version of a file (size + mtime), for ?v= cache busting."""
    try:
        st = os.stat(path)
    except OSError:
        return "0"
    return hashlib.sha1(f"{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:12]


def send_asset(root, rel):
    path = resolve_asset(root, rel)
    if path is None:
        raise NotFound()
    st = os.stat(path)
    serve, encoding, has_variants = path, None, False
    for token, suffix in ENCODINGS:
        sibling = path + suffix
        try:
            sst = os.stat(sibling)
        except OSError:
            continue
        if sst.st_mtime_ns < st.st_mtime_ns:
            continue  # stale: older than the file it compresses
        has_variants = True
        if encoding is None and request.accept_encodings.quality(token) > 0:
            serve, encoding = sibling, token
    etag = hashlib.sha1(
        f"{path}:{st.st_size}:{st.st_mtime_ns}:{encoding or 'identity'}".encode()
    ).hexdigest()[:20]
    response = send_file(serve, mimetype=content_type(path), conditional=True, etag=etag,
                         last_modified=st.st_mtime, max_age=None,
                         download_name=os.path.basename(path))  # not the .br sibling's
    response.headers["Content-Type"] = content_type(path)  # werkzeug would add a 2nd charset
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if has_variants:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = LONG_CACHE if request.args.get("v") else REVALIDATE
    return response


# The static site (web/tools/build_site.py) renders each page with the relative path from
# it to the site's root in this WSGI environ key, so the site works under any sub-path.
SITE_ROOT_KEY = "shiftplay.root"


def page_root():
    """Prefix of every link and asset URL on the page being rendered: '/' when served
    here, e.g. '../../' for play/<env>/index.html in the static site."""
    return request.environ.get(SITE_ROOT_KEY, "/")


def play_url(name):
    """/play/<name> here; <root>play/<name>/ (a folder's index.html) in the static site."""
    root = page_root()
    return f"/play/{name}" if root == "/" else f"{root}play/{name}/"


def asset_url(prefix, rel):
    """URL of an asset with a version query, so it can be cached for good."""
    path = resolve_asset(ASSET_ROOTS[prefix], rel)
    version = file_version(path) if path else "0"
    return f"{page_root()}{prefix}/{rel}?v={version}"


def page_modules():
    """The page's ES modules: every .js file of web/static (for the import map)."""
    return sorted(f for f in os.listdir(ASSET_ROOTS["static"]) if f.endswith(".js"))


app.jinja_env.globals.update(asset_url=asset_url, play_url=play_url, page_root=page_root,
                             page_modules=page_modules)


# ---- routes ----------------------------------------------------------------------------

@app.before_request
def only_get_and_head():
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed(valid_methods=["GET", "HEAD"])


# On every response: ours (after_request) and waitress's own errors (SafeErrorTask).
SECURITY_HEADERS = (
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)


@app.before_request
def one_leading_slash():
    """"//play/pong" is a 404 like "/play//pong" (waitress strips extra leading slashes
    from PATH_INFO, so this looks at the raw request line)."""
    raw = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI") or ""
    if raw.startswith("//"):
        raise NotFound()


@app.after_request
def security_headers(response):
    h = response.headers
    for key, value in SECURITY_HEADERS:
        h[key] = value
    if "Cache-Control" not in h:
        h["Cache-Control"] = REVALIDATE
    return response


@app.get("/")
def gallery():
    infos = [env_info(n) for n in env_names()]
    entries = {i["name"]: built_entry(i["name"]) for i in infos}
    return render_template("gallery.html", envs=infos, entries=entries)


def shorten(text, limit=64):
    """`text` cut to `limit` characters (with an ellipsis), for echoing user input."""
    return text if len(text) <= limit else text[:limit] + "…"


@app.get("/play/<name>")
@app.get("/play/<name>/")  # the static site's URL form (a folder's index.html)
def play(name):
    if not ENV_NAME.match(name) or name not in env_names():
        raise NotFound(f"There is no env called “{shorten(name)}”.")
    info = env_info(name)
    entry = built_entry(name)
    return render_template("play.html", env=info, entry=entry,
                           policy=policy_config(name) if info["model"] else None)


# onnxruntime-web files the play page loads (web/node_modules, from web/package.json).
ORT_MODULE = "ort.wasm.bundle.min.mjs"
ORT_WASM = "ort-wasm-simd-threaded.wasm"


def policy_config(name):
    """What web/static/onnx_policy.js needs to run web/models/<name>.onnx: versioned URLs
    and raw sizes (the progress bar counts decompressed bytes)."""
    def size(root, rel):
        path = resolve_asset(ASSET_ROOTS[root], rel)
        return os.path.getsize(path) if path else 0
    return {
        "model": asset_url("models", f"{name}.onnx"),
        "model_bytes": size("models", f"{name}.onnx"),
        "meta": asset_url("models", f"{name}.json"),
        "ort_module": asset_url("ort", ORT_MODULE),
        "ort_wasm": asset_url("ort", ORT_WASM),
        "ort_wasm_bytes": size("ort", ORT_WASM),
        "worker": asset_url("static", "onnx_worker.js"),
    }


@app.get("/api/envs")
def api_envs():
    return jsonify([env_info(n) for n in env_names()])


@app.get(f"/<any({', '.join(ASSET_ROOTS)}):prefix>/<path:rel>")
def asset(prefix, rel):
    """/static, /build, /models and /ort: files of the folders in ASSET_ROOTS."""
    return send_asset(ASSET_ROOTS[prefix], rel)


@app.get("/favicon.ico")
def favicon():
    return send_asset(ASSET_ROOTS["static"], "favicon.svg")


# ---- the static site -------------------------------------------------------------------

def site_urls():
    """Every URL of the static site (web/tools/build_site.py, `make site`): the pages, the
    env list, and each file the pages load. No precompressed siblings: hosts compress."""
    urls = ["/", "/api/envs"] + [f"/play/{n}" for n in env_names()]
    urls += [f"/static/{f}" for f in asset_files(ASSET_ROOTS["static"])]
    urls += [f"/models/{f}" for f in asset_files(MODELS)]
    urls.append("/build/manifest.json")
    for name in env_names():
        entry = built_entry(name)
        if entry:
            urls += [f"/build/{entry['js']}", f"/build/{entry['wasm']}"]
    urls += [f"/ort/{ORT_MODULE}", f"/ort/{ORT_WASM}"]
    return urls


def asset_files(root):
    """The files served from folder `root` (sorted, relative), without .br/.gz siblings."""
    out = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(folder, f), root).replace(os.sep, "/")
            if not f.endswith((".br", ".gz")) and resolve_asset(root, rel):
                out.append(rel)
    return out


# ---- errors ----------------------------------------------------------------------------

def error_response(code, title, message):
    if request.path.startswith("/api/"):
        response = jsonify(error=title, status=code, message=message)
    else:
        response = make_response(render_template("error.html", code=code, title=title,
                                                 message=message))
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


@app.errorhandler(HTTPException)
def http_error(e):
    messages = {404: "Nothing here. It may have moved, or never existed.",
                405: "Only GET and HEAD are allowed."}
    message = messages.get(e.code, "")
    if e.description and e.description != type(e).description:
        message = e.description  # one of ours, e.g. the unknown env's name
    response = error_response(e.code or 500, e.name, message)
    if e.code == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


@app.errorhandler(Exception)
def internal_error(e):  # pragma: no cover - only for bugs
    log.exception("unhandled error on %s", request.path)
    return error_response(500, "Internal Server Error", "Something broke on our side.")


# ---- serving (waitress) ----------------------------------------------------------------
#
# waitress reads each request completely in its event loop before a worker thread runs
# the app, and buffers responses, so slow clients cost a socket, not a thread. What it
# needs is room for many sockets and a reason to close the ones that only hold a place:
# - connection_limit well above the idle/slow sockets a visitor-facing server sees
#   (waitress's default of 100 let 100 idle sockets lock every visitor out);
# - channel_timeout: idle keep-alive sockets are closed after it (default 120 s);
# - request_timeout (ours): a request must arrive in full within it, so slowloris
#   clients that trickle a header line every few seconds are cut off;
# - poll() instead of select(), which cannot watch descriptors above 1023;
# - an open-file limit above connection_limit (raised here up to the hard limit).
# For public hosting put a reverse proxy in front (README, "Reliability").

SERVE_DEFAULTS = {"threads": 16, "connection_limit": 4000, "channel_timeout": 30,
                  "request_timeout": 15}


class SafeErrorTask(ErrorTask):
    """waitress's own error responses (400, 413, 431, ...) with our security headers."""

    def execute(self):
        self.response_headers.extend(SECURITY_HEADERS)
        self.response_headers.append(("Cache-Control", "no-store"))
        super().execute()


class TimedRequestParser(HTTPRequestParser):
    """Remembers when the request's first bytes arrived."""

    def __init__(self, adj):
        super().__init__(adj)
        self.started = time.monotonic()


class ShiftPlayChannel(HTTPChannel):
    error_task_class = SafeErrorTask
    parser_class = TimedRequestParser


def close_slow_requests(server, request_timeout):
    """Extends waitress's periodic cleanup (every cleanup_interval s): besides the idle
    channels it closes, close those whose request is still incomplete after
    request_timeout seconds."""
    idle_cleanup = server.maintenance

    def maintenance(now):
        idle_cleanup(now)
        cutoff = time.monotonic() - request_timeout
        for channel in list(server.active_channels.values()):
            request = channel.request
            if request is not None and not channel.requests and request.started < cutoff:
                channel.will_close = True

    server.maintenance = maintenance


class QueueDepthSummary(logging.Filter):
    """waitress warns "Task queue depth is N" once per queued request (37,665 lines in a
    minute of load); let one line through per `interval` seconds, with the peak depth
    and how many were folded into it."""

    def __init__(self, interval=10.0):
        super().__init__()
        self.interval = interval
        self.next_time = 0.0
        self.folded = 0
        self.peak = 0

    def filter(self, record):
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        self.peak = max(self.peak, depth if isinstance(depth, int) else 0)
        now = time.monotonic()
        if now < self.next_time:
            self.folded += 1
            return False
        record.msg = ("Task queue depth is %d (peak %d, %d more such warnings in the last "
                      "%.0f s): more requests than threads; see README, Reliability")
        record.args = (depth, self.peak, self.folded, self.interval)
        self.next_time = now + self.interval
        self.folded = 0
        self.peak = 0
        return True


def raise_open_file_limit(wanted):
    """Raises the soft limit on open files toward `wanted`; returns the limit in force."""
    try:
        import resource  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - Windows has no such limit
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return wanted if soft == resource.RLIM_INFINITY else soft


def accept_in_batches(server, batch=256):
    """waitress accepts one connection per turn of its event loop, and each turn walks
    every open channel, so a burst of N connections cost O(N^2) and 3,000 idle sockets
    kept a visitor waiting more than 10 s. Accept up to `batch` per turn instead."""
    accept_one = server.handle_accept

    def handle_accept():
        for _ in range(batch):
            before = len(server._map)
            if before >= server.adj.connection_limit:
                return
            accept_one()
            if len(server._map) == before:
                return  # nothing left to accept (or it failed)

    server.handle_accept = handle_accept


def make_server(host, port, threads, connection_limit, channel_timeout, request_timeout):
    """A waitress server for `app`, set up for many idle and slow connections."""
    from waitress import create_server  # noqa: PLC0415

    files = raise_open_file_limit(connection_limit + 256)
    if files < connection_limit + 64:
        log.warning("open-file limit %d is too low for %d connections; using %d (raise "
                    "`ulimit -n`)", files, connection_limit, files - 64)
        connection_limit = max(files - 64, 16)
    queue_log = logging.getLogger("waitress.queue")
    if not any(isinstance(f, QueueDepthSummary) for f in queue_log.filters):
        queue_log.addFilter(QueueDepthSummary())
    server = create_server(app, host=host, port=port, threads=threads, ident="ShiftPlay",
                           connection_limit=connection_limit,
                           channel_timeout=channel_timeout,
                           cleanup_interval=max(1, min(5, channel_timeout // 2,
                                                    request_timeout // 2)),
                           backlog=2048, asyncore_use_poll=True)
    server.channel_class = ShiftPlayChannel
    close_slow_requests(server, request_timeout)
    accept_in_batches(server)
    return server


# ---- main ------------------------------------------------------------------------------

def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the ShiftPlay gallery and games.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--debug", action="store_true",
                        help="Flask's development server with the debugger (local only)")
    d = SERVE_DEFAULTS
    parser.add_argument("--threads", type=positive_int, default=d["threads"],
                        help="worker threads running the app (default %(default)s)")
    parser.add_argument("--connection-limit", type=positive_int,
                        default=d["connection_limit"],
                        help="open connections at most, idle ones included; needs an "
                             "open-file limit above it (default %(default)s)")
    parser.add_argument("--channel-timeout", type=positive_int, default=d["channel_timeout"],
                        help="seconds before an idle connection is closed "
                             "(default %(default)s)")
    parser.add_argument("--request-timeout", type=positive_int, default=d["request_timeout"],
                        help="seconds a client has to send a whole request "
                             "(default %(default)s)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.debug:
        print(f"ShiftPlay (debug) on http://{args.host}:{args.port}/", flush=True)
        app.run(host=args.host, port=args.port, debug=True)
        return
    server = make_server(args.host, args.port, args.threads, args.connection_limit,
                         args.channel_timeout, args.request_timeout)
    port = server.effective_port
    host = server.effective_host
    print(f"ShiftPlay serving on http://{host}:{port}/", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
