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

from flask import Flask, jsonify, make_response, render_template, request, send_file
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
                         last_modified=st.st_mtime, max_age=None)
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


app.jinja_env.globals.update(asset_url=asset_url, play_url=play_url, page_root=page_root)


# ---- routes ----------------------------------------------------------------------------

@app.before_request
def only_get_and_head():
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed(valid_methods=["GET", "HEAD"])


@app.after_request
def security_headers(response):
    h = response.headers
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Cross-Origin-Embedder-Policy"] = "require-corp"
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    if "Cache-Control" not in h:
        h["Cache-Control"] = REVALIDATE
    return response


@app.get("/")
def gallery():
    infos = [env_info(n) for n in env_names()]
    entries = {i["name"]: built_entry(i["name"]) for i in infos}
    return render_template("gallery.html", envs=infos, entries=entries)


@app.get("/play/<name>")
def play(name):
    if not ENV_NAME.match(name) or name not in env_names():
        raise NotFound(f"There is no env called “{name}”.")
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


# ---- main ------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the ShiftPlay gallery and games.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--debug", action="store_true",
                        help="Flask's development server with the debugger (local only)")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.debug:
        print(f"ShiftPlay (debug) on http://{args.host}:{args.port}/", flush=True)
        app.run(host=args.host, port=args.port, debug=True)
        return
    from waitress import create_server  # noqa: PLC0415

    server = create_server(app, host=args.host, port=args.port, threads=args.threads,
                           ident="ShiftPlay")
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
