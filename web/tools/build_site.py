"""Builds the static site: the gallery, every play page and every file they load, as plain
files that any static host serves (GitHub Pages, `python -m http.server`, a bucket).

    python web/tools/build_site.py [--out dist/site]        (make site)

The pages are what server.py renders (the same templates and routes, through Flask's test
client), with every link and asset URL relative to the page, so the site also works under
a sub-path (https://<user>.github.io/<repo>/). URL -> file:

    /                 index.html
    /play/<env>       play/<env>/index.html      (the host serves it as /play/<env>/)
    /api/envs         api/envs.json
    /static/..., /build/..., /models/..., /ort/...   the same paths

Hosts compress on their own, so no .br/.gz siblings; the page needs no COOP/COEP (it runs
onnxruntime-web on one thread). The folder is replaced as a whole, and only once the new
one is complete.
"""
import argparse
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import server  # noqa: E402 - after the path set-up

DEFAULT_OUT = os.path.join(ROOT, "dist", "site")


class SiteError(Exception):
    pass


def site_file(url):
    """The file under the site's folder that holds `url`."""
    parts = url.strip("/").split("/") if url != "/" else []
    if not parts:
        return "index.html"
    if parts[0] == "play":
        return "/".join(parts + ["index.html"])
    if parts[0] == "api":
        return "/".join(parts) + ".json"
    return "/".join(parts)


def relative_root(file):
    """'./' for index.html, '../../' for play/<env>/index.html."""
    depth = file.count("/")
    return "../" * depth if depth else "./"


def fetch(client, url, root):
    response = client.get(url, environ_base={server.SITE_ROOT_KEY: root},
                          headers={"Accept-Encoding": "identity"})
    if response.status_code != 200:
        raise SiteError(f"{url}: HTTP {response.status_code} from server.py "
                        "(is everything built? `make site` runs `make web` first)")
    if response.headers.get("Content-Encoding"):
        raise SiteError(f"{url}: came {response.headers['Content-Encoding']}-encoded")
    return response.get_data()


def write_site(out):
    """Renders and copies everything into `out` (which must not exist); returns the files."""
    client = server.app.test_client()
    files = []
    for url in server.site_urls():
        file = site_file(url)
        path = os.path.join(out, *file.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(fetch(client, url, relative_root(file)))
        files.append(file)
    # GitHub Pages: serve the files as they are (no Jekyll).
    open(os.path.join(out, ".nojekyll"), "wb").close()
    return files


def unbuilt_envs():
    """Envs whose play page can only say "not built" (no web/build module)."""
    return [n for n in server.env_names() if server.built_entry(n) is None]


def build(out=DEFAULT_OUT):
    """Builds the site into `out`, replacing what is there only once the new one is done."""
    out = os.path.abspath(out)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".site-", dir=parent)
    try:
        files = write_site(os.path.join(tmp, "site"))
        if os.path.exists(out):
            os.rename(out, os.path.join(tmp, "old"))
        os.rename(os.path.join(tmp, "site"), out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the ShiftPlay static site.")
    parser.add_argument("--out", default=DEFAULT_OUT, help="folder (default: dist/site)")
    args = parser.parse_args(argv)
    try:
        files = build(args.out)
    except (SiteError, OSError) as e:
        print(f"[site] error: {e}", file=sys.stderr)
        return 1
    for name in unbuilt_envs():
        print(f"[site] warning: {name} is not built for the web (make web)", file=sys.stderr)
    size = sum(os.path.getsize(os.path.join(args.out, *f.split("/"))) for f in files)
    print(f"[site] {len(files)} files, {size / 1e6:.1f} MB in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
