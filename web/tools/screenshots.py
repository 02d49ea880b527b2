"""Screenshots of the play page for the README: docs/screenshots/*.png.

    .venv/bin/python web/tools/screenshots.py [--out docs/screenshots]

Starts server.py on a free port, opens the pages in headless Chromium (/usr/bin/chromium,
or $SHIFTPLAY_CHROMIUM) at desktop (1280x800) and phone (390x844, touch) sizes, lets the
bot play a little from a fixed seed, and saves palette PNGs (small files).
"""
import argparse
import io
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from web.tools.local import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SHOTS = [
    # (file, env, query, viewport, phone)
    ("play_desktop_snake.png", "snake", "?seed=11&speed=1", (1280, 800), False),
    ("play_desktop_breakout.png", "breakout", "?seed=7&speed=1", (1280, 800), False),
    ("play_phone_pong.png", "pong", "?seed=5&speed=1", (390, 844), True),
]


def start_server():
    proc = subprocess.Popen([sys.executable, "server.py", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "serving on http://" in line:
            return proc, line.split("serving on ", 1)[1].strip().rstrip("/")
    proc.kill()
    raise RuntimeError("server.py did not start")


def save_small(png_bytes, path):
    """A 256-color palette PNG when Pillow is there (a few times smaller), else as is."""
    try:
        from PIL import Image
    except ImportError:
        with open(path, "wb") as f:
            f.write(png_bytes)
        return
    img = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    parser.add_argument("--steps", type=int, default=150, help="bot steps before each shot")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    from playwright.sync_api import sync_playwright

    server, url = start_server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for file, env, query, (w, h), phone in SHOTS:
                context = browser.new_context(viewport={"width": w, "height": h},
                                              has_touch=phone, is_mobile=phone,
                                              device_scale_factor=1)
                page = context.new_page()
                page.add_init_script("localStorage.setItem('shiftplay.eye', 'on')")
                page.goto(f"{url}/play/{env}{query}")
                page.wait_for_function(
                    f"window.shiftplay && shiftplay.game.totalSteps >= {args.steps}", timeout=120000)
                page.evaluate("document.getElementById('game-canvas').blur()")
                page.wait_for_timeout(300)
                save_small(page.screenshot(), os.path.join(args.out, file))
                print(os.path.join(args.out, file), os.path.getsize(os.path.join(args.out, file)))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
