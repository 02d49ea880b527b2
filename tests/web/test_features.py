"""Browser tests of the play page's features: shareable URLs, exact time control, touch
takeover on a phone, the phone layout, the scoreboard, the help overlay and the
agent's-eye view. The real server and one Chromium, shared with test_pages.py."""
import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

import envs
from tests.web.common import env_names, manifest

ENVS = env_names()
PHONE = {"width": 390, "height": 844}


def spec_of(name):
    return manifest()["envs"][name]["spec"]


def open_play(page, server_url, name, query=""):
    if name not in manifest().get("envs", {}):
        raise AssertionError(f"{name} is not built for the web: run `make web`")
    page.goto(f"{server_url}/play/{name}{query}")
    page.wait_for_function("window.shiftplay && shiftplay.controls && shiftplay.game.totalSteps > 0")
    return page


def pin_baseline(page):
    """The C baseline (synchronous) for the rest of the page's life: a model loading in
    the background must not change how many steps a frame makes."""
    page.evaluate("""() => {
      const g = shiftplay.game;
      g.setPolicy(null);
      g.setPolicy = () => {};
    }""")


def pin_frame_scale(page):
    """Exactly speed x sps/60 steps a frame, whatever the frame rate of a loaded machine."""
    page.evaluate("shiftplay.game.autoFrameScale = false; shiftplay.game.frameScale = 1")


def combo_actions(names):
    """{frozenset of part names: index} for actions named after others joined by '_'
    (ACCEL_LEFT when ACCEL and LEFT exist): touch plays them by holding the parts."""
    upper = [n.upper() for n in names]
    return {frozenset(n.split("_")): i for i, n in enumerate(upper)
            if "_" in n and all(p in upper for p in n.split("_"))}


def query(url):
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True,
                                  device_scale_factor=2)
    p = context.new_page()
    errors = []
    p.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.errors = errors
    p.set_default_timeout(30000)
    yield p
    context.close()


# ---- seeds and links -------------------------------------------------------------------

def test_url_restores_seed_speed_mode_and_copy_link_round_trips(page, server_url):
    name = ENVS[0]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server_url)
    open_play(page, server_url, name, "?seed=7&speed=2&mode=sample")
    s = page.evaluate("({seed: shiftplay.game.seed, speed: shiftplay.game.speed, "
                      "mode: shiftplay.game.policyMode, field: document.getElementById('seed-input').value,"
                      " speedText: document.getElementById('speed-value').textContent})")
    assert s == {"seed": 7, "speed": 2, "mode": "sample", "field": "7", "speedText": s["speedText"]}
    assert s["speedText"].startswith("2×")
    assert query(page.url) == {"seed": "7", "speed": "2", "mode": "sample"}
    assert page.evaluate("shiftplay.state().episode") == 1

    # Changes go to the URL as they happen.
    page.click("#game-canvas")
    page.keyboard.press("]")
    page.wait_for_function("location.search.includes('speed=4')")
    page.fill("#seed-input", "123")
    page.press("#seed-input", "Enter")
    page.wait_for_function("location.search.includes('seed=123')")
    assert page.evaluate("shiftplay.game.seed") == 123
    page.evaluate("shiftplay.game.policyMode = 'argmax'")
    page.wait_for_function("location.search.includes('mode=argmax')")
    page.fill("#seed-input", "12x")
    page.press("#seed-input", "Enter")
    assert page.locator("#seed-input.invalid").count() == 1
    assert page.evaluate("shiftplay.game.seed") == 123, "a bad seed is refused"

    # Copy link: the clipboard gets the page's URL; opening it restores the state.
    page.click("#btn-copy-link")
    page.wait_for_function("shiftplay.copiedLink")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url == page.evaluate("shiftplay.copiedLink")
    assert query(copied) == {"seed": "123", "speed": "4", "mode": "argmax"}
    first = page.evaluate("""() => { const g = shiftplay.game; g.stop(); g.reset(123);
                                     return Array.from(shiftplay.env.agentObs(g.humanAgent)); }""")
    page.goto(copied)
    page.wait_for_function("window.shiftplay && shiftplay.controls")
    restored = page.evaluate("""() => { const g = shiftplay.game; g.stop();
      const r = {seed: g.seed, speed: g.speed, mode: g.policyMode};
      g.reset(g.seed); r.obs = Array.from(shiftplay.env.agentObs(g.humanAgent)); return r; }""")
    assert restored["seed"] == 123 and restored["speed"] == 4 and restored["mode"] == "argmax"
    assert restored["obs"] == first, "the same seed starts the same game"
    assert page.console.errors == []


# ---- time control ----------------------------------------------------------------------

def test_pause_then_single_steps_are_exact(page, server_url):
    open_play(page, server_url, ENVS[0])
    page.click("#game-canvas")
    page.keyboard.press("p")
    page.wait_for_function("shiftplay.game.paused && !shiftplay.game.busy")
    assert page.locator("#pause-badge").is_visible()
    assert page.inner_text("#btn-pause") == "Resume"
    s0 = page.evaluate("shiftplay.game.totalSteps")
    page.wait_for_timeout(250)
    assert page.evaluate("shiftplay.game.totalSteps") == s0, "paused: no steps"
    for _ in range(5):
        page.keyboard.press("n")
    page.wait_for_function(f"shiftplay.game.totalSteps >= {s0 + 5} && !shiftplay.game.busy")
    page.wait_for_timeout(150)
    assert page.evaluate("shiftplay.game.totalSteps") == s0 + 5
    for _ in range(3):
        page.click("#btn-step")
    page.wait_for_timeout(250)
    assert page.evaluate("shiftplay.game.totalSteps") == s0 + 8, "one step per click"
    assert page.evaluate("shiftplay.game.paused")
    page.keyboard.press("p")
    page.wait_for_function(f"shiftplay.game.totalSteps > {s0 + 10}")
    assert not page.locator("#pause-badge").is_visible()
    assert page.console.errors == []


MEASURE = """async (speed) => {
  const g = shiftplay.game, env = shiftplay.env;
  shiftplay.controls.setSpeed(speed);
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  await frame();
  let renders = 0;
  const render = env.render;
  env.render = function (h) { renders++; return render.call(this, h); };
  const f0 = g.frames, s0 = g.totalSteps;
  for (let i = 0; i < 24; i++) await frame();
  env.render = render;
  return {frames: g.frames - f0, steps: g.totalSteps - s0, renders, spf: g.stepsPerFrame,
          scale: g.frameScale, sps: g.stepsPerSecond};
}"""


FAKE_DISPLAY = """([hz, jitter]) => {
  // Drives the frame loop with fake timestamps: one simulated second at `hz`.
  const g = shiftplay.game;
  g.stop();
  g.autoFrameScale = true;
  g.running = true;
  g._lastTs = null;
  g._dtAvg = 1000 / 60;
  let t = 0, seed = 1;
  const warm = 3 * hz, s0 = {};
  for (let i = 0; i < warm + hz; i++) {
    if (i === warm) { s0.steps = g.totalSteps; s0.scale = g.frameScale; }
    seed = (seed * 16807) % 2147483647;
    t += 1000 / hz + jitter * ((seed / 2147483647) * 2 - 1);
    g._tick(t);
    cancelAnimationFrame(g._raf);
  }
  g.running = false;
  return {steps: g.totalSteps - s0.steps, scale: g.frameScale, sps: g.stepsPerSecond * g.speed};
}"""


def check_display_rates(page):
    """60 Hz (with jitter) is exact; 120 Hz steps half as often per frame; 30 Hz twice."""
    page.evaluate("shiftplay.controls.setSpeed(1)")
    for hz, jitter, scale in ((60, 3, 1), (120, 0.5, 0.5), (30, 2, 2)):
        r = page.evaluate(FAKE_DISPLAY, [hz, jitter])
        assert r["scale"] == pytest.approx(scale, rel=0.08), (hz, r)
        assert r["steps"] == pytest.approx(r["sps"], rel=0.1), f"{hz} Hz: steps in one second {r}"


def test_speed_sets_steps_per_animation_frame(page, server_url):
    open_play(page, server_url, ENVS[0])
    pin_baseline(page)
    pin_frame_scale(page)
    for speed in (0.25, 1, 4):
        r = page.evaluate(MEASURE, speed)
        expected = speed * r["sps"] / 60
        assert r["spf"] == pytest.approx(expected)
        assert abs(r["steps"] - r["frames"] * expected) <= 1, (speed, r)
        assert r["renders"] <= r["frames"] + 1, f"one render per frame at most ({speed}x)"
        assert query(page.url)["speed"] == f"{speed:g}"
    check_display_rates(page)
    assert page.console.errors == []


# ---- touch -----------------------------------------------------------------------------

def test_touch_takeover_and_direction_buttons_on_a_phone(phone, server_url):
    name = ENVS[0]
    spec = spec_of(name)
    page = open_play(phone, server_url, name)
    assert page.locator("#touch-pad").is_visible()
    buttons = page.eval_on_selector_all(
        "#touch-pad [data-action]", "els => els.map(e => [Number(e.dataset.action), e.dataset.name])")
    combos = set(combo_actions(spec["action_names"]).values())
    expected = [(i, a) for i, a in enumerate(spec["action_names"])
                if i != spec["noop_action"] and i not in combos]
    assert sorted(tuple(b) for b in buttons) == expected
    assert page.evaluate("getComputedStyle(document.getElementById('btn-takeover')).touchAction") == "none"

    state = "() => ({who: document.getElementById('control').textContent, h: shiftplay.game.humanSteps, t: shiftplay.game.totalSteps})"
    page.dispatch_event("#btn-takeover", "touchstart")
    page.wait_for_function("document.getElementById('control').textContent === 'YOU'")
    h0 = page.evaluate(state)["h"]
    page.wait_for_function(f"shiftplay.game.humanSteps >= {h0 + 3}")
    page.dispatch_event("#btn-takeover", "touchend")
    page.wait_for_function("document.getElementById('control').textContent === 'BOT'")
    s = page.evaluate(state)
    page.wait_for_function(f"shiftplay.game.totalSteps >= {s['t'] + 3}")
    assert page.evaluate(state)["h"] == s["h"], "released: the bot drives"

    # Real touches (CDP): pointer and touch events together still hold and release once.
    box = page.locator("#btn-takeover").bounding_box()
    cdp = page.context.new_cdp_session(page)
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    page.wait_for_function("shiftplay.state().control === 'YOU' && document.getElementById('control').textContent === 'YOU'")
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function("shiftplay.state().control === 'BOT'")

    # Each direction button drives the human's agent with its own action.
    obs_changed = False
    for index, action in expected:
        sel = f'#touch-pad [data-action="{index}"]'
        before = page.evaluate("Array.from(shiftplay.env.agentObs(shiftplay.game.humanAgent))")
        page.dispatch_event(sel, "touchstart")
        page.wait_for_function("document.getElementById('control').textContent === 'YOU'")
        t = page.evaluate("shiftplay.game.totalSteps")
        page.wait_for_function(f"shiftplay.game.totalSteps >= {t + 6}")
        acted = page.evaluate("shiftplay.env.actions[shiftplay.game.humanAgent]")
        after = page.evaluate("Array.from(shiftplay.env.agentObs(shiftplay.game.humanAgent))")
        page.dispatch_event(sel, "touchend")
        page.wait_for_function("document.getElementById('control').textContent === 'BOT'")
        assert acted == index, f"{action} should step action {index}, stepped {acted}"
        obs_changed = obs_changed or after != before
    assert obs_changed
    assert page.evaluate("shiftplay.game.humanActionOverride") is None
    assert page.errors == []


CONTINUOUS = [n for n in ENVS if spec_of(n).get("action_kind") == "continuous"]


@pytest.mark.parametrize("name", CONTINUOUS)
def test_touch_joystick_drives_continuous_actions(phone, server_url, name):
    """A continuous env's touch pad is a thumb joystick (no action buttons): a finger at
    its top sets action value 0 near its high bound, at its right value 1; lifting it
    hands the game back to the bot."""
    spec = spec_of(name)
    page = open_play(phone, server_url, name, "?policy=baseline")
    assert page.locator("#touch-pad .touch-stick").is_visible()
    assert page.locator("#touch-pad [data-action]").count() == 0
    box = page.locator("#touch-pad .touch-stick").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    cdp = page.context.new_cdp_session(page)
    human = "Array.from(shiftplay.env.agentAction(shiftplay.env.actions, shiftplay.game.humanAgent))"
    low, high = spec["action_low"], spec["action_high"]

    def touch(kind, x, y):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", cx, box["y"] + 3)
    page.wait_for_function("document.getElementById('control').textContent === 'YOU'")
    t = page.evaluate("shiftplay.game.totalSteps")
    page.wait_for_function(f"shiftplay.game.totalSteps >= {t + 3}")
    up = page.evaluate(human)
    assert up[0] > 0.8 * high[0] and abs(up[1]) < 0.1 * (high[1] - low[1]), up
    touch("touchMove", box["x"] + box["width"] - 3, cy)
    t = page.evaluate("shiftplay.game.totalSteps")
    page.wait_for_function(f"shiftplay.game.totalSteps >= {t + 3}")
    right = page.evaluate(human)
    assert right[1] > 0.8 * high[1] and abs(right[0] - min(max(0, low[0]), high[0])) < 0.1, right
    touch("touchEnd", 0, 0)
    page.wait_for_function("document.getElementById('control').textContent === 'BOT'")
    assert page.evaluate("shiftplay.game.humanActionOverride") is None


COMBO_ENVS = [n for n in ENVS if combo_actions(envs.spec(n)["action_names"])]


@pytest.mark.parametrize("name", COMBO_ENVS[:1])
def test_touch_buttons_held_together_play_the_combined_action(phone, server_url, name):
    spec = spec_of(name)
    names = spec["action_names"]
    page = open_play(phone, server_url, name)
    shown = page.eval_on_selector_all("#touch-pad [data-action]",
                                      "els => els.map(e => Number(e.dataset.action))")
    for parts, index in combo_actions(names).items():
        assert index not in shown, f"{names[index]} is played by holding {sorted(parts)}"
        pressed = [names.index(next(n for n in names if n.upper() == p)) for p in sorted(parts)]
        for a in pressed:
            page.dispatch_event(f'#touch-pad [data-action="{a}"]', "touchstart")
        page.wait_for_function("document.getElementById('control').textContent === 'YOU'")
        t = page.evaluate("shiftplay.game.totalSteps")
        page.wait_for_function(f"shiftplay.game.totalSteps >= {t + 3}")
        acted = page.evaluate("shiftplay.env.actions[shiftplay.game.humanAgent]")
        page.dispatch_event(f'#touch-pad [data-action="{pressed[0]}"]', "touchend")
        t = page.evaluate("shiftplay.game.totalSteps")
        page.wait_for_function(f"shiftplay.game.totalSteps >= {t + 3}")
        alone = page.evaluate("shiftplay.env.actions[shiftplay.game.humanAgent]")
        page.dispatch_event(f'#touch-pad [data-action="{pressed[1]}"]', "touchend")
        page.wait_for_function("document.getElementById('control').textContent === 'BOT'")
        assert acted == index, f"holding {sorted(parts)} should play {names[index]}, played {acted}"
        assert alone == pressed[1], "one button left held plays its own action"
    assert page.errors == []


def test_phone_layout_has_no_horizontal_overflow(phone, server_url):
    for name in ENVS:
        page = open_play(phone, server_url, name, "?policy=baseline")
        page.wait_for_timeout(100)
        m = page.evaluate("""() => {
          const r = (id) => document.getElementById(id).getBoundingClientRect();
          return {sw: document.documentElement.scrollWidth, bw: document.body.scrollWidth,
                  iw: innerWidth, canvas: r('game-canvas').toJSON(), pad: r('touch-pad').toJSON(),
                  panel: document.querySelector('.panel').getBoundingClientRect().toJSON(),
                  stage: document.querySelector('.stage').getBoundingClientRect().toJSON()};
        }""")
        assert m["sw"] <= m["iw"] and m["bw"] <= m["iw"], f"{name}: horizontal overflow {m}"
        assert m["canvas"]["x"] >= 0 and m["canvas"]["right"] <= m["iw"] + 0.5, name
        assert m["canvas"]["width"] >= 0.85 * m["iw"] - 40, f"{name}: the canvas should fill the width"
        assert m["pad"]["right"] <= m["iw"] + 0.5 and m["pad"]["height"] > 40, name
        assert m["panel"]["top"] >= m["stage"]["bottom"] - 1, f"{name}: the panel stacks below"
        page.evaluate("window.scrollTo(10000, 0)")
        assert page.evaluate("scrollX") == 0
    assert phone.errors == []


# ---- scoreboard ------------------------------------------------------------------------

PLAY_EPISODE = """async ([kind, limit]) => {
  // Plays one whole episode synchronously-ish (no rendering): the human (an override
  // action) for every step, for the first few, or never.
  const g = shiftplay.game, env = shiftplay.env, h = g.humanAgent;
  // The human sends the spec's no-op action where there is one, else action 0.
  const noop = Math.max(0, env.spec.noop_action);
  const start = env.agentStats(h).episodes;
  let steps = 0;
  while (env.agentStats(h).episodes === start) {
    const human = kind === 'human' || (kind === 'handoff' && steps < 5);
    g.humanActionOverride = human ? noop : null;
    const p = g._step();
    if (p && typeof p.then === 'function') await p;
    if (++steps > limit) throw new Error('episode did not end in ' + limit + ' steps');
  }
  g.humanActionOverride = null;
  return g.lastEpisode;
}"""


def test_scoreboard_keeps_best_scores_across_reloads_and_on_the_gallery(page, server_url):
    name = ENVS[0]
    open_play(page, server_url, name)
    page.evaluate("localStorage.clear()")
    pin_baseline(page)
    page.evaluate("shiftplay.game.stop(); shiftplay.game.reset(3)")
    episodes = {}
    for kind in ("human", "handoff", "bot"):
        ep = page.evaluate(PLAY_EPISODE, [kind, 200000])
        episodes[kind] = ep
        if kind == "human":
            assert ep["botSteps"] == 0 and ep["youSteps"] > 0
        elif kind == "bot":
            assert ep["youSteps"] == 0 and ep["botSteps"] > 0
        else:
            assert ep["youSteps"] == 5 and ep["botSteps"] > 0
    stored = json.loads(page.evaluate(f"localStorage.getItem('shiftplay.best.{name}')"))
    for kind, ep in episodes.items():
        assert stored[kind]["score"] == pytest.approx(ep["score"]), kind
    shown = page.eval_on_selector_all("#best-grid .best", "els => els.map(e => [e.dataset.kind, e.querySelector('.best-value').textContent])")
    assert [k for k, _ in shown] == ["human", "handoff", "bot"]
    assert all(v != "–" for _, v in shown)

    def fmt(x):
        r = round(x * 100) / 100
        return f"{r:,.2f}".rstrip("0").rstrip(".") if r != int(r) else f"{int(r):,}"

    # A worse episode of a kind does not replace its best.
    worse = dict(episodes["human"], score=episodes["human"]["score"] - 1000)
    page.evaluate(f"shiftplay.scores.record({json.dumps(worse)})")

    page.reload()
    page.wait_for_function("window.shiftplay && shiftplay.scores")
    after = dict(page.eval_on_selector_all("#best-grid .best", "els => els.map(e => [e.dataset.kind, e.querySelector('.best-value').textContent])"))
    assert after == {k: fmt(ep["score"]) for k, ep in episodes.items()}

    page.goto(server_url + "/")
    card = page.locator(f'.card[data-env="{name}"] .card-scores')
    card.wait_for()
    on_card = dict(card.locator(".best").evaluate_all(
        "els => els.map(e => [e.dataset.kind, e.querySelector('.best-value').textContent])"))
    assert on_card == after
    others = [n for n in ENVS if n != name]
    for other in others:
        assert page.locator(f'.card[data-env="{other}"] .card-scores').count() == 0
    assert page.console.errors == []


# ---- help ------------------------------------------------------------------------------

def test_help_overlay_opens_and_closes(page, server_url):
    open_play(page, server_url, ENVS[0])
    page.click("#game-canvas")
    assert page.locator("#help").count() == 0 or not page.locator("#help").is_visible()
    page.keyboard.press("?")
    page.wait_for_selector("#help", state="visible")
    text = page.inner_text("#help")
    for words in ("Shift", "pause", "one step", "new game", "faster", "Agent's eye", "Best scores"):
        assert words in text, words
    assert page.evaluate("shiftplay.game.paused"), "the game waits while help is open"
    page.keyboard.press("Escape")
    page.wait_for_selector("#help", state="hidden")
    assert not page.evaluate("shiftplay.game.paused")
    page.click("#btn-help")
    page.wait_for_selector("#help", state="visible")
    page.click("#help-close")
    page.wait_for_selector("#help", state="hidden")
    page.click("#btn-help")
    page.wait_for_selector("#help", state="visible")
    page.mouse.click(5, 5)  # outside the card
    page.wait_for_selector("#help", state="hidden")
    # Paused before: still paused after.
    page.keyboard.press("p")
    page.keyboard.press("?")
    page.wait_for_selector("#help", state="visible")
    page.keyboard.press("Escape")
    page.wait_for_selector("#help", state="hidden")
    assert page.evaluate("shiftplay.game.paused")
    assert page.console.errors == []


# ---- agent's eye -----------------------------------------------------------------------

def test_agents_eye_view_draws_the_observation(page, server_url):
    for name in ENVS:
        spec = spec_of(name)
        open_play(page, server_url, name, "?policy=baseline")
        page.evaluate("localStorage.removeItem('shiftplay.eye')")
        if not page.evaluate("shiftplay.eye.on"):
            page.click("#btn-eye")
        assert page.locator("#eye-card").is_visible()
        d0 = page.evaluate("shiftplay.eye.view.draws")
        page.wait_for_function(f"shiftplay.eye.view.draws >= {d0 + 3}")
        plan = page.evaluate("""() => { const p = shiftplay.eye.view.plan;
          return {kind: p.kind, bars: (p.bars || []).map(b => b.i),
                  cells: (p.grids || []).flatMap(g => Array.from(g.index).filter(i => i >= 0)),
                  rows: p.rows, cols: p.cols,
                  low: Array.from(p.range.low), high: Array.from(p.range.high)}; }""")
        n = spec["obs_size"]
        # Each value is scaled by its group's range (a [0, 1] feature fills its bar at 1).
        for g in spec["obs_groups"]:
            for i in range(g["start"], g["start"] + g["count"]):
                got = (plan["low"][i], plan["high"][i])
                assert got == pytest.approx((g["low"], g["high"])), (name, g["name"], i)
        if spec.get("obs_value_names"):
            legend = page.inner_text("#eye-legend").split()
            assert legend == spec["obs_value_names"], f"{name}: the legend names the grid's codes"
        if spec["obs_height"] > 1:
            assert plan["kind"] == "grid" and (plan["rows"], plan["cols"]) == (spec["obs_height"], spec["obs_width"])
        else:
            assert plan["kind"] == "vector"
            assert sorted(plan["bars"] + plan["cells"]) == list(range(n)), "every value is drawn once"
            labels = spec.get("obs_labels") or []
            if any(re.match(r"^.+_\d+_\d+$", label) for label in labels):
                assert plan["cells"], f"{name}: name_R_C labels make a mini-grid"
        # Something is drawn: the canvas is not blank.
        lit = page.evaluate("""() => { const c = document.getElementById('eye-canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let lit = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) lit++; return lit; }""")
        assert lit > 100, f"{name}: the eye view is blank"
    page.keyboard.press("e")
    page.wait_for_selector("#eye-card", state="hidden")
    assert page.evaluate("localStorage.getItem('shiftplay.eye')") == "off"
    page.keyboard.press("e")
    page.wait_for_selector("#eye-card", state="visible")
    assert page.console.errors == []
