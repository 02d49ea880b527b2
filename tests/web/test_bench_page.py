"""The pages `make bench-page` (bench/first_frame.py) times besides the play page: the env
alone, and the env alone with the play page's model worker. Built from a play page of the
static site, they must draw, and the second must get its model ready, or the benchmark
would time broken pages."""
import os
import shutil

import pytest

from bench.first_frame import bare_pages, serve
from tests.web.test_onnx import SHIPPED

DRAWING = "window.shiftplay && window.shiftplay.game.frames > 3"


@pytest.mark.skipif(not SHIPPED, reason="no shipped model")
def test_the_bare_pages_draw_and_the_model_gets_ready(page, static_site, tmp_path):
    name = SHIPPED[0]
    site = tmp_path / "site"
    os.makedirs(site / "play" / name)
    shutil.copy(static_site / "play" / name / "index.html", site / "play" / name / "index.html")
    for folder in ("build", "static", "models", "ort"):
        os.symlink(static_site / folder, site / folder)
    pages = bare_pages(str(site), name)
    server, url = serve(str(site))
    try:
        page.goto(f"{url}/{pages['bare']}")
        page.wait_for_function(DRAWING)
        assert page.evaluate("shiftplay.game.policy.name") == "baseline"
        page.goto(f"{url}/{pages['bare_model']}")
        page.wait_for_function(DRAWING)
        page.wait_for_function("shiftplay.game.policy.name === 'model'", timeout=60000)
        assert page.console.errors == []
    finally:
        server.shutdown()
        server.server_close()
