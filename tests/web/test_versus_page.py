"""Versus mode in the page (issue #11): for every env whose spec allows versus play (from
the manifest, no names), ?mode=versus&side=N plays the human's side against the bot, a
game finishes, the record (this browser's, in the scoreboard) updates, survives a reload
and shows on the gallery card; touch plays a move; swapping sides works; stored records
are validated field by field."""
import json

import pytest

from tests.web.common import manifest, tap

ENTRIES = manifest().get("envs", {})
VERSUS = sorted(n for n, e in ENTRIES.items() if e["spec"].get("versus_sides", 0) >= 2)
PLAIN = sorted(n for n, e in ENTRIES.items() if e["spec"].get("versus_sides", 0) < 2)
SIDE_CASES = [(n, s) for n in VERSUS for s in (0, 1)]

STATE = """() => {
  const s = shiftplay, g = s.game;
  return {versus: g.versus, side: g.humanAgent, turn: g.turn, over: g.over, steps: g.totalSteps,
    agents: s.env.numAgents, tookOver: g.tookOver, url: location.href,
    obs: Array.from(s.env.agentObs(g.humanAgent)), actions: Array.from(s.env.actions),
    record: document.getElementById('versus-record').textContent,
    status: document.getElementById('versus-status').textContent,
    control: document.getElementById('control').textContent};
}"""

# The smallest game the spec allows (every param at its minimum, versus on), so a game
# ends within seconds; the page's own env object and game are reused.
SHRINK = """(seed) => {
  const s = shiftplay, spec = s.env.spec;
  const params = spec.params.map((p) => (p.name === spec.versus_param ? 1 : p.min));
  s.env.create(seed, params);
  s.env.setAutoreset(false);
  s.game.reset(seed);
}"""

# Collects the actions of every step from now on (window.__steps).
WATCH = """() => {
  window.__steps = [];
  shiftplay.game.on('step', (d) => window.__steps.push(Array.from(d.actions)));
}"""

RECORD = """async (env) => (await import('/static/scoreboard.js')).load(env).versus || null"""


def open_versus(page, server_url, name, side, extra=""):
    page.goto(f"{server_url}/play/{name}?mode=versus&side={side}{extra}")
    page.wait_for_function("window.shiftplay && shiftplay.versus && shiftplay.game.frames > 1")
    return page.evaluate(STATE)


def spec_of(name):
    return ENTRIES[name]["spec"]


def legal_key(state, spec):
    start = spec["action_mask_obs"]
    legal = [i for i in range(min(spec["num_actions"], 9)) if state["obs"][start + i]]
    assert legal, "the human is to move but no legal move is offered"
    return f"Digit{legal[len(legal) // 2] + 1}"


def wait_turn(page, side, timeout=20000):
    page.wait_for_function(f"shiftplay.game.over || shiftplay.game.turn === {side}", timeout=timeout)
    return page.evaluate(STATE)


def play_turn_based(page, spec, side, takeover=False):
    """Plays the human's side with digit keys until the game ends. takeover: on the bot's
    first turn, hold Shift and move for it."""
    took = False
    for _ in range(200):
        s = page.evaluate(STATE)
        if s["over"]:
            return s
        if s["turn"] == side:
            tap(page, legal_key(s, spec))
            page.wait_for_function(f"shiftplay.game.over || shiftplay.game.totalSteps > {s['steps']}")
        elif takeover and not took and s["turn"] >= 0:
            page.keyboard.down("Shift")
            page.wait_for_function("shiftplay.game.awaitingHuman")
            bot_view = page.evaluate("Array.from(shiftplay.env.agentObs(shiftplay.game.turn))")
            tap(page, legal_key({"obs": bot_view}, spec))
            page.wait_for_function(f"shiftplay.game.totalSteps > {s['steps']}")
            page.keyboard.up("Shift")
            took = True
        else:
            wait_turn(page, side)
    raise AssertionError("the game did not end")


def check_keys_turn_based(page, spec, side):
    s = wait_turn(page, side)
    assert s["status"] == "Your move"
    page.wait_for_timeout(400)
    assert page.evaluate(STATE)["steps"] == s["steps"], "the game must wait for the human's move"
    tap(page, legal_key(s, spec))
    page.wait_for_function(f"shiftplay.game.totalSteps > {s['steps']}")
    after = page.evaluate(STATE)
    assert after["obs"][spec["action_mask_obs"]:] != s["obs"][spec["action_mask_obs"]:] or after["over"]
    # The bot answers on its own, and the human is to move again.
    back = wait_turn(page, side)
    assert back["steps"] >= s["steps"] + 2 or back["over"], "the bot should have moved"


def check_keys_real_time(page, spec, side):
    names = [str(n).upper() for n in spec["action_names"]]
    page.evaluate(WATCH)
    for key, name in (("ArrowUp", "UP"), ("ArrowDown", "DOWN")):
        if name not in names:
            continue
        page.keyboard.down(key)
        page.wait_for_function("window.__steps.length > 3")
        page.wait_for_function(f"shiftplay.env.actions[{side}] === {names.index(name)}")
        page.keyboard.up(key)
        page.evaluate("window.__steps = []")
    page.wait_for_function("window.__steps.length > 40", timeout=30000)
    steps = page.evaluate("window.__steps")
    other = 1 - side
    assert len({a[other] for a in steps}) > 1, "the bot should move its side"
    assert all(a[side] == spec["noop_action"] for a in steps[5:]), "no key: the human's side stays"


def finish(page, spec, side, takeover=False):
    page.evaluate(SHRINK, 4242)
    if spec["turn_based"]:
        return play_turn_based(page, spec, side, takeover)
    page.evaluate("shiftplay.game.speed = 8")
    if takeover:
        page.keyboard.down("Shift")
        page.wait_for_function("shiftplay.game.tookOver")
        page.keyboard.up("Shift")
    page.wait_for_function("shiftplay.game.over", timeout=60000)
    return page.evaluate(STATE)


@pytest.mark.parametrize(("name", "side"), SIDE_CASES)
def test_versus_side_plays_a_recorded_game(page, server_url, name, side):
    spec = spec_of(name)
    s = open_versus(page, server_url, name, side)
    page.evaluate("localStorage.clear()")
    assert s["versus"] and s["side"] == side and s["agents"] == spec["versus_sides"]
    assert "mode=versus" in s["url"] and f"side={side}" in s["url"]
    assert s["control"] == "YOU vs BOT"
    if spec["turn_based"]:
        check_keys_turn_based(page, spec, side)
    else:
        check_keys_real_time(page, spec, side)

    end = finish(page, spec, side)
    assert end["over"]
    rec = page.evaluate(RECORD, name)
    assert rec["wins"] + rec["losses"] + rec["draws"] == 1 and rec["assisted"] == 0
    text = f"{rec['wins']} W · {rec['losses']} L · {rec['draws']} D"
    assert page.evaluate(STATE)["record"] == text
    # The next game starts on its own, same side.
    page.wait_for_function("!shiftplay.game.over", timeout=10000)
    page.evaluate("shiftplay.game.setPaused(true)")  # the small game would end again
    assert page.evaluate(STATE)["side"] == side
    text = page.evaluate(STATE)["record"]

    page.reload()
    page.wait_for_function("window.shiftplay && shiftplay.versus")
    assert page.evaluate(STATE)["record"] == text
    page.goto(server_url + "/")
    card = page.locator(f'.card[data-env="{name}"] .card-versus')
    assert card.locator(".versus-record").text_content() == text
    assert page.console.errors == []


@pytest.mark.parametrize("name", VERSUS)
def test_shift_takeover_of_the_bots_side_is_not_counted(page, server_url, name):
    spec = spec_of(name)
    open_versus(page, server_url, name, 0)
    page.evaluate("localStorage.clear()")
    end = finish(page, spec, 0, takeover=True)
    assert end["over"] and end["tookOver"]
    rec = page.evaluate(RECORD, name)
    assert (rec["wins"], rec["losses"], rec["draws"], rec["assisted"]) == (0, 0, 0, 1)
    assert "not counted" in page.locator("#versus-note").text_content()
    assert page.console.errors == []


@pytest.mark.parametrize("name", VERSUS)
def test_swap_sides(page, server_url, name):
    s = open_versus(page, server_url, name, 0)
    seed = page.evaluate("shiftplay.game.seed")
    page.click("#btn-swap")
    page.wait_for_function("shiftplay.game.humanAgent === 1")
    after = page.evaluate(STATE)
    assert "side=1" in after["url"] and "mode=versus" in after["url"]
    assert page.evaluate("shiftplay.game.seed") != seed, "swapping starts a new game"
    on = page.locator(".versus-side.on")
    assert on.text_content() == spec_of(name)["side_names"][1]
    page.locator('.versus-side[data-side="0"]').click()
    page.wait_for_function("shiftplay.game.humanAgent === 0")
    assert "side=0" in page.evaluate("location.href")
    assert s["versus"] and page.console.errors == []


@pytest.mark.parametrize("name", VERSUS)
def test_touch_plays_the_humans_side(browser, server_url, name):
    spec = spec_of(name)
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    try:
        open_versus(page, server_url, name, 0)
        box = page.locator("#game-canvas").bounding_box()
        if spec["turn_based"]:
            s = wait_turn(page, 0)
            # The pad's move buttons offer exactly the legal moves.
            offered = page.evaluate("""() => Array.from(document.querySelectorAll(
              '#touch-pad .touch-btn[data-action]'), (b) => [Number(b.dataset.action), !b.disabled])""")
            start = spec["action_mask_obs"]
            assert offered and all(on == bool(s["obs"][start + a]) for a, on in offered)
            page.tap("#game-canvas", position={"x": box["width"] * 0.5, "y": box["height"] * 0.6})
            page.wait_for_function(f"shiftplay.game.totalSteps > {s['steps']}")
            assert not page.evaluate("shiftplay.game.tookOver")
        else:
            names = [str(n).upper() for n in spec["action_names"]]
            cdp = context.new_cdp_session(page)
            x = box["x"] + box["width"] * 0.3
            for frac, name_ in ((0.15, "UP"), (0.85, "DOWN")):
                cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [
                    {"x": x, "y": box["y"] + box["height"] * frac}]})
                page.wait_for_function(f"shiftplay.env.actions[0] === {names.index(name_)}")
                cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
            page.wait_for_function(f"shiftplay.env.actions[0] === {spec['noop_action']}")
            assert not page.evaluate("shiftplay.game.tookOver")
    finally:
        context.close()


@pytest.mark.skipif(not PLAIN, reason="every built env has versus play")
def test_versus_link_on_an_env_without_it_plays_as_usual(page, server_url):
    name = PLAIN[0]
    page.goto(f"{server_url}/play/{name}?mode=versus&side=1")
    page.wait_for_function("window.shiftplay && shiftplay.game.totalSteps > 2")
    assert page.evaluate("shiftplay.game.versus") is False
    assert page.locator("#versus-card").is_hidden()
    assert any("no versus play" in w for w in page.console.warnings)


@pytest.mark.skipif(not VERSUS, reason="no env with versus play")
def test_plain_page_offers_versus(page, server_url):
    name = VERSUS[0]
    page.goto(f"{server_url}/play/{name}")
    page.wait_for_function("window.shiftplay && shiftplay.game.totalSteps > 2")
    link = page.locator("#versus-link")
    assert "mode=versus" in link.get_attribute("href")
    link.click()
    page.wait_for_function("window.shiftplay && shiftplay.versus")
    assert page.evaluate("shiftplay.game.versus") is True


# (stored versus record, counts read back, date kept)
GOOD_AT = "2026-11-30T10:00:00.000Z"
RECORD_CASES = [
    ({"wins": 2, "losses": 1, "draws": 0, "assisted": 3, "at": GOOD_AT}, (2, 1, 0, 3), True),
    ({"wins": "2", "losses": -1, "draws": 1.5, "assisted": None, "at": GOOD_AT}, (0, 0, 0, 0), True),
    ({"wins": 1e999, "losses": 4}, (0, 4, 0, 0), False),
    ({"wins": 5, "at": "yesterday"}, (5, 0, 0, 0), False),
    ({"wins": 5, "at": {"x": 1}}, (5, 0, 0, 0), False),
    ({"wins": 2 ** 60}, (0, 0, 0, 0), False),
    (7, None, False),
    ([1, 2], None, False),
    (None, None, False),
]

READ_RECORD = """async ([env, raw]) => {
  const scores = await import('/static/scoreboard.js');
  localStorage.setItem(scores.PREFIX + env, raw);
  return scores.load(env);
}"""


@pytest.fixture(scope="module")
def gallery(browser, server_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server_url + "/")
    page.wait_for_function("window.shiftplay && shiftplay.games")
    yield page
    context.close()


@pytest.mark.skipif(not VERSUS, reason="no env with versus play")
@pytest.mark.parametrize(("stored", "counts", "dated"), RECORD_CASES)
def test_corrupt_versus_record_is_dropped_field_by_field(gallery, stored, counts, dated):
    name = VERSUS[0]
    raw = json.dumps({"bot": {"score": 3}, "versus": stored}).replace("Infinity", "1e999")
    board = gallery.evaluate(READ_RECORD, [name, raw])
    assert board["bot"] == {"score": 3}, "a bad record must not cost the best scores"
    if counts is None:
        assert "versus" not in board
        return
    v = board["versus"]
    assert (v["wins"], v["losses"], v["draws"], v["assisted"]) == counts
    assert ("at" in v) == dated
