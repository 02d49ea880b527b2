"""Browser tests: the real server, headless Chromium (WebGL through SwiftShader).

Every env page loads without console errors, draws, and the bot plays; Shift hands the
game to the keyboard and back without resetting the episode. Set SHIFTPLAY_SCREENSHOTS
to a folder to keep screenshots of the pages.
"""
import os

import pytest

from tests.web.common import KEY_OF_ACTION, control_keys, env_names, manifest, tap

ENVS = env_names()
SHOTS = os.environ.get("SHIFTPLAY_SCREENSHOTS")

# Draws the current frame and samples it in the same task (a WebGL canvas keeps its
# drawing buffer only until it is composited).
SNAPSHOT = """() => {
  const c = document.getElementById('game-canvas');
  shiftplay.env.render(shiftplay.game.highlight);
  const t = document.createElement('canvas');
  t.width = 200; t.height = 150;
  const g = t.getContext('2d');
  g.imageSmoothingEnabled = false;
  g.drawImage(c, 0, 0, t.width, t.height);
  const d = g.getImageData(0, 0, t.width, t.height).data;
  const colors = new Set();
  let hash = 0, lit = 0;
  for (let i = 0; i < d.length; i += 4) {
    const v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    colors.add(v);
    hash = (Math.imul(hash, 31) + v) | 0;
  }
  return {colors: colors.size, hash};
}"""


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name + ".png"))


def open_play(page, server_url, name, seed=None, query=""):
    if name not in manifest().get("envs", {}):
        raise AssertionError(f"{name} is not built for the web: run `make web`")
    page.goto(f"{server_url}/play/{name}{query}")
    page.wait_for_function("window.shiftplay && window.shiftplay.game.totalSteps > 0")
    if seed is not None:
        page.evaluate(f"shiftplay.game.reset({seed})")
    return page


def state(page):
    return page.evaluate("shiftplay.state()")


def wait_steps(page, k):
    """Waits until the game has made k more steps."""
    target = page.evaluate("shiftplay.game.totalSteps") + k
    page.wait_for_function(f"shiftplay.game.totalSteps >= {target}")


def assert_same_episode(earlier, later, what):
    """`later` continues `earlier`'s episode, or that episode ended on its own (e.g. a
    snake crashed) after going on past `earlier` - never a reset."""
    if later["episode"] == earlier["episode"]:
        assert later["steps"] > earlier["steps"], f"{what}: the step counter must go on"
    else:
        assert later["episode"] == earlier["episode"] + 1, f"{what} must not reset the episode"
        assert later["lastLength"] > earlier["steps"], f"{what} must not reset the episode"


def hold(page, key, steps):
    """Holds `key` (with Shift already down) for at least `steps` steps."""
    page.keyboard.down(key)
    wait_steps(page, steps)
    page.keyboard.up(key)


# ---- gallery ---------------------------------------------------------------------------

def test_gallery_lists_every_env_with_live_previews(page, server_url):
    api = page.request.get(f"{server_url}/api/envs").json()
    assert [e["name"] for e in api] == sorted(e["name"] for e in api)
    page.goto(server_url + "/")
    cards = page.locator("a.card")
    assert cards.count() == len(api)
    for e in api:
        card = page.locator(f'a.card[href="/play/{e["name"]}"]')
        assert card.count() == 1
        assert e["title"] in card.inner_text()
        if e["description"]:
            assert e["description"] in card.inner_text()
    built = [e["name"] for e in api if e["built"]]
    assert set(built) >= set(ENVS), "every env with a render header must be built"
    for name in built:
        page.wait_for_selector(f'a.card[data-env="{name}"].preview-live')
    page.wait_for_function(
        "[...window.shiftplay.games.values()].every(g => g && g.totalSteps > 3)")
    shot(page, "gallery")
    assert page.console.errors == []


def test_gallery_card_opens_play_page(page, server_url):
    page.goto(server_url + "/")
    name = ENVS[0]
    page.click(f'a.card[href="/play/{name}"]')
    page.wait_for_url(f"**/play/{name}")
    page.wait_for_function("window.shiftplay && window.shiftplay.game.totalSteps > 0")
    assert page.console.errors == []


# ---- play pages ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ENVS)
def test_play_page_loads_draws_and_the_bot_plays(page, server_url, name):
    open_play(page, server_url, name)
    first = page.evaluate(SNAPSHOT)
    assert first["colors"] >= 3, "the canvas looks blank"
    s0 = state(page)
    assert s0["control"] == "BOT" and s0["shown"] == "BOT"
    wait_steps(page, 30)
    later = page.evaluate(SNAPSHOT)
    assert later["hash"] != first["hash"], "the canvas did not change over 30 steps"
    s1 = state(page)
    assert s1["totalSteps"] >= s0["totalSteps"] + 30
    assert s1["humanSteps"] == 0
    # The panel follows the game.
    page.wait_for_function(
        "Number(document.getElementById('stat-steps').textContent) > 0 || "
        "Number(document.getElementById('stat-episode').textContent) > 1")
    shot(page, f"play_{name}")
    assert page.console.errors == []


# What the hold (play.html, html.booting) hides and shows, as the visitor sees it.
SHOWN = """() => Object.fromEntries(['.topbar', '.panel', '.stage-bar', '.transport', '#overlay']
  .map((sel) => [sel, getComputedStyle(document.querySelector(sel)).visibility]))"""


def test_the_page_shows_its_panels_with_the_first_frame(page, server_url):
    """The page's text and panels are held back only until the game's first frame. The
    hold's own 2 s timer (play.html, HOLD_MS) is kept from firing, so only the page's
    first frame can end it here."""
    page.add_init_script("""window.__hold = {};
      const later = window.setTimeout;
      window.setTimeout = (fn, ms, ...rest) => (ms === 2000 ? 0 : later(fn, ms, ...rest));
      document.addEventListener('shiftplay:ready', () => { window.__hold.ready = performance.now(); });
      new MutationObserver(() => {
        if (!document.documentElement.classList.contains('booting') && !window.__hold.shown) {
          window.__hold.shown = performance.now();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['class'] });""")
    open_play(page, server_url, ENVS[0])
    page.wait_for_function("window.__hold.shown !== undefined")
    hold = page.evaluate("window.__hold")
    assert hold["shown"] - hold["ready"] < 1000, f"the panels came long after the first frame: {hold}"
    shown = page.evaluate(SHOWN)
    assert shown == {".topbar": "visible", ".panel": "visible", ".stage-bar": "visible",
                     ".transport": "visible", "#overlay": "visible"}, shown
    assert page.evaluate("document.getElementById('overlay').classList.contains('hidden')")
    assert page.console.errors == []


def test_the_env_starts_once_the_page_has_loaded(page, server_url):
    """The env's script and start wait for the page's load event, so the browser's loading
    indicator (a full-window composite per frame under software GL) stops before the game
    asks its GPU for anything; the env's files are preloaded meanwhile."""
    name = ENVS[0]
    open_play(page, server_url, name)
    got = page.evaluate("""(name) => ({
      load: performance.getEntriesByType('navigation')[0].loadEventStart,
      envStart: shiftplay.timings.envStart,
      firstFrame: shiftplay.timings.firstFrame,
      preloaded: performance.getEntriesByType('resource')
        .filter((r) => r.name.includes(`/build/${name}.`)).map((r) => r.initiatorType),
    })""", name)
    assert 0 < got["load"] <= got["envStart"] <= got["firstFrame"], got
    assert sorted(got["preloaded"]) == ["link", "link"], got


def test_a_slow_game_shows_the_page_and_its_spinner_after_the_hold(page, server_url):
    """A game still downloading after HOLD_MS: the page, its spinner and its text show
    anyway, and the game starts when its file arrives."""
    name = ENVS[0]
    held = []
    page.route(f"**/build/{name}.wasm*", lambda route: held.append(route))
    page.goto(f"{server_url}/play/{name}?policy=baseline", wait_until="commit")
    page.wait_for_function("document.getElementById('overlay') !== null")
    assert page.evaluate("document.documentElement.classList.contains('booting')")
    assert page.evaluate(SHOWN)[".panel"] == "hidden"
    page.wait_for_function("!document.documentElement.classList.contains('booting')", timeout=5000)
    shown = page.evaluate(SHOWN)
    assert set(shown.values()) == {"visible"}, shown
    assert "Loading" in page.inner_text("#overlay")
    assert page.evaluate("window.shiftplay === undefined")
    assert held, "the game's wasm was not requested"
    for route in held:
        route.continue_()
    page.unroute(f"**/build/{name}.wasm*")
    page.wait_for_function("window.shiftplay && window.shiftplay.game.totalSteps > 0")
    assert page.console.errors == []


def action_checks(page, spec):
    """While Shift + an arrow is held, the human's agent takes that arrow's action."""
    names = spec["action_names"]
    checked = 0
    for action, key in KEY_OF_ACTION.items():
        if action not in names:
            continue
        page.keyboard.down(key)
        wait_steps(page, 2)
        acted = page.evaluate("shiftplay.env.actions[shiftplay.game.humanAgent]")
        page.keyboard.up(key)
        assert acted == names.index(action), f"{key} should step {action}, stepped {acted}"
        checked += 1
    return checked


HUMAN_ACTION = """() => {
  const g = shiftplay.game, e = shiftplay.env;
  return Array.from(e.agentAction(e.actions, g.humanAgent));
}"""


def continuous_key_checks(page, spec):
    """Continuous actions: with no game key down the human's action ramps back to idle
    (0 clamped into each bound); each arrow key held moves at least one action value away
    from it, gradually (a ramp, not a jump to a bound), and staying within the bounds."""
    low, high = spec["action_low"], spec["action_high"]
    idle = [min(max(0.0, lo), hi) for lo, hi in zip(low, high)]
    wait_steps(page, 20)
    assert page.evaluate(HUMAN_ACTION) == pytest.approx(idle), "no key: the idle action"
    checked = 0
    for key in ("ArrowUp", "ArrowLeft", "ArrowRight", "ArrowDown"):
        page.keyboard.down(key)
        wait_steps(page, 1)
        first = page.evaluate(HUMAN_ACTION)
        wait_steps(page, 8)
        later = page.evaluate(HUMAN_ACTION)
        page.keyboard.up(key)
        for values in (first, later):
            assert all(lo <= v <= hi for v, lo, hi in zip(values, low, high)), values
        if later != pytest.approx(idle):
            far = max(abs(a - b) for a, b in zip(later, idle))
            near = max(abs(a - b) for a, b in zip(first, idle))
            assert near < far, f"{key}: the action should ramp ({first} -> {later})"
            checked += 1
        wait_steps(page, 20)
    return checked


def check_control_obs(page, spec):
    """The spec's control observation (e.g. a paddle coordinate) moves with the keys."""
    i, less_key, more_key = control_keys(spec)
    label = spec["control_obs"]["label"]
    hold(page, more_key, 4)
    high = state(page)["obs"][i]
    hold(page, less_key, 4)
    low = state(page)["obs"][i]
    assert low < high, f"{label} should drop while {less_key} is held ({high} -> {low})"
    hold(page, more_key, 4)
    assert state(page)["obs"][i] > low, f"{label} should grow while {more_key} is held"


def check_snake_turn(page, spec):
    """The snake turns where the arrow says: the old head ends up behind the new one.
    Other snakes move too; if ours dies meanwhile, the check runs again on its next life."""
    side = spec["obs_shape"][0]
    c = side // 2
    moves = {"UP": (-1, 0), "DOWN": (1, 0), "LEFT": (0, -1), "RIGHT": (0, 1)}
    back = {"UP": "DOWN", "DOWN": "UP", "LEFT": "RIGHT", "RIGHT": "LEFT"}
    failures = []
    for _ in range(3):
        s0 = state(page)
        obs = s0["obs"]
        assert obs[c * side + c] == 4, "the agent's head should be at the view's center"
        neck = [d for d, (dr, dc) in moves.items() if obs[(c + dr) * side + c + dc] == 3]
        heading = back[neck[0]] if neck else "UP"
        options = ("LEFT", "RIGHT") if heading in ("UP", "DOWN") else ("UP", "DOWN")

        def free(d, obs=obs):
            dr, dc = moves[d]
            return sum(obs[(c + k * dr) * side + c + k * dc] in (0, 1) for k in range(1, c + 1))

        turn = max(options, key=free)
        hold(page, KEY_OF_ACTION[turn], 2)
        s1 = state(page)
        if s1["episode"] != s0["episode"]:
            failures.append(f"died while turning {turn}")
            continue
        dr, dc = moves[turn]
        trail = s1["obs"][(c - dr) * side + c - dc]
        assert trail == 3, f"after turning {turn} (heading {heading}) the neck should trail"
        return
    raise AssertionError("the snake kept dying: " + "; ".join(failures))


def release_shift(page):
    """Releases Shift; returns the state after the first step the bot decided (a step
    decided just before the release may still end after it, and rightly counts as the
    human's)."""
    page.evaluate("""() => { window.released = null; const off = shiftplay.game.on('step', (d) => {
      if (!d.human) { window.released = shiftplay.state(); off(); } }); }""")
    page.keyboard.up("Shift")
    page.wait_for_function("document.getElementById('control').textContent === 'BOT'")
    page.wait_for_function("window.released !== null")
    return page.evaluate("window.released")


def human_move(page, spec, s):
    """Turn-based envs: plays the human agent's first legal action from state `s` (digit
    key i + 1 plays action i) and waits for its step; returns the legal actions."""
    start, n = spec["action_mask_obs"], spec["num_actions"]
    legal = [i for i in range(min(n, 9)) if s["obs"][start + i]]
    assert legal, "the human's agent should be to move while it holds control"
    tap(page, f"Digit{legal[0] + 1}")
    page.wait_for_function(f"shiftplay.game.totalSteps > {s['totalSteps']}")
    return legal


def check_turn_keys(page, spec):
    """Turn-based envs (envs/env.h): while the human holds control and is to move, the
    game waits (no step at all: the page never steps a no-op or an illegal move), and
    digit key i + 1 plays legal action i. Returns 1 when checked."""
    start, n = spec["action_mask_obs"], spec["num_actions"]
    page.wait_for_function("shiftplay.game.awaitingHuman")
    s0 = state(page)
    page.wait_for_timeout(600)
    s1 = state(page)
    assert s1["totalSteps"] == s0["totalSteps"] and s1["obs"] == s0["obs"], \
        "the game must wait for the human's move"
    legal = human_move(page, spec, s1)
    s2 = state(page)
    assert s2["obs"] != s1["obs"] or s2["episode"] != s1["episode"], \
        f"key {legal[0] + 1} should play action {legal[0]}"
    return 1


# Env-specific checks beyond the spec's control observation.
STATE_CHECKS = {
    "snake": check_snake_turn,
}


def test_game_context_is_lean_and_lists_only_what_raylib_uses(page, server_url):
    """The page creates the game's WebGL context before raylib does (play.js leanContext):
    no alpha, depth, stencil or antialias, and only OES_vertex_array_object listed, which
    Emscripten then enables (it installs createVertexArray on the context) and raylib uses."""
    open_play(page, server_url, ENVS[0])
    got = page.evaluate("""() => { const gl = document.getElementById('game-canvas').getContext('webgl');
      const a = gl.getContextAttributes();
      return {attrs: [a.alpha, a.antialias, a.depth, a.stencil], listed: gl.getSupportedExtensions(),
              vao: typeof gl.createVertexArray, frames: shiftplay.game.frames}; }""")
    assert got["attrs"] == [False, False, False, False]
    assert got["listed"] in (["OES_vertex_array_object"], [])
    assert got["vao"] == ("function" if got["listed"] else "undefined")
    assert got["frames"] > 0


@pytest.mark.parametrize("name", ENVS)
def test_shift_hands_control_to_the_keyboard_and_back(page, server_url, name):
    open_play(page, server_url, name, seed=12345)
    spec = manifest()["envs"][name]["spec"]
    wait_steps(page, 3)
    before = state(page)
    assert before["shown"] == "BOT"

    # Taking over: same episode, the step counter goes on.
    page.keyboard.down("Shift")
    page.wait_for_function("document.getElementById('control').textContent === 'YOU'")
    assert page.locator("#canvas-wrap.you").count() == 1
    turn_checked = 0
    if spec.get("turn_based"):
        turn_checked = check_turn_keys(page, spec)  # it waits for the human's move: one move
    else:
        wait_steps(page, 2)
    taken = state(page)
    assert taken["control"] == "YOU"
    assert_same_episode(before, taken, "taking over")
    assert taken["humanSteps"] > 0

    # The env's keys drive the human's agent.
    if control_keys(spec):
        check_control_obs(page, spec)
    if name in STATE_CHECKS:
        STATE_CHECKS[name](page, spec)
    if spec.get("action_kind") == "continuous":
        checked = continuous_key_checks(page, spec)
    else:
        checked = action_checks(page, spec)
    checked += turn_checked
    assert checked > 0 or name in STATE_CHECKS or control_keys(spec), \
        f"{name}: no arrow key maps to an action name; add a check to STATE_CHECKS"
    shot(page, f"play_{name}_you")

    # Handing back: same episode again, the bot drives.
    during = release_shift(page)
    wait_steps(page, 3)
    after = state(page)
    assert after["control"] == "BOT"
    assert_same_episode(during, after, "handing back")
    assert after["humanSteps"] == during["humanSteps"], "the bot is back in control"
    if after["episode"] == during["episode"]:  # the split is per episode
        assert after["split"]["youSteps"] == during["split"]["youSteps"]
        assert after["split"]["botSteps"] > during["split"]["botSteps"]
    if during["episode"] == before["episode"]:  # every human step was in this episode
        assert during["split"]["youSteps"] > 0   # (a move can end the game, e.g. in connect4)
    assert page.console.errors == []


def test_either_shift_key_works_and_blur_releases(page, server_url):
    open_play(page, server_url, ENVS[0])
    for key in ("ShiftLeft", "ShiftRight"):
        page.keyboard.down(key)
        page.wait_for_function("document.getElementById('control').textContent === 'YOU'")
        page.keyboard.up(key)
        page.wait_for_function("document.getElementById('control').textContent === 'BOT'")
    page.keyboard.down("Shift")
    page.wait_for_function("shiftplay.state().control === 'YOU'")
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    page.wait_for_function("document.getElementById('control').textContent === 'BOT'")
    assert state(page)["control"] == "BOT"
    page.keyboard.up("Shift")
    assert page.console.errors == []


def test_game_keys_do_not_scroll_and_click_focuses_canvas(page, server_url):
    page.set_viewport_size({"width": 760, "height": 520})
    open_play(page, server_url, ENVS[0])
    assert page.evaluate("document.documentElement.scrollHeight > innerHeight + 50"), \
        "the page should be taller than the window for this test"
    page.click("#game-canvas")
    assert page.evaluate("document.activeElement.id") == "game-canvas"
    for key in ("ArrowDown", "Space", "PageDown", "ArrowUp", "ArrowDown", "End"):
        page.keyboard.press(key)
    assert page.evaluate("window.scrollY") == 0
    assert page.console.errors == []


def test_canvas_scales_to_the_window(page, server_url):
    open_play(page, server_url, ENVS[0])
    spec = manifest()["envs"][ENVS[0]]["spec"]
    for width, height in [(1920, 1080), (1280, 720), (1024, 768), (800, 600), (390, 844)]:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        box = page.locator("#game-canvas").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (width, height)
        assert box["height"] <= height, f"the canvas must fit the window ({width}x{height})"
        assert box["width"] >= min(300, width * 0.7), (width, height)
        ratio = box["width"] / box["height"]
        assert ratio == pytest.approx(spec["render_width"] / spec["render_height"], rel=0.02)
    assert page.console.errors == []


# ---- the pluggable policy --------------------------------------------------------------

ASYNC_POLICY = """async () => {
  const g = shiftplay.game;
  let inflight = 0, maxInflight = 0, calls = 0, goodObs = true;
  // Always the last action (discrete) or every value at its high bound (continuous).
  const fixed = shiftplay.env.newActions();
  const info0 = shiftplay.env.info();
  for (let i = 0; i < fixed.length; i++) {
    fixed[i] = info0.continuous ? info0.actionHigh[i % info0.actionDim] : info0.numActions - 1;
  }
  g.setPolicy({
    name: 'test', label: 'Test policy',
    act(obs, info) {
      calls++; inflight++; maxInflight = Math.max(maxInflight, inflight);
      const T = info.obsDtype === 'uint8' ? Uint8Array : Float32Array;
      goodObs = goodObs && obs instanceof T && obs.length === info.numAgents * info.obsSize;
      return new Promise((resolve) => setTimeout(() => {
        inflight--;
        resolve(fixed.slice());
      }, 25));
    },
  });
  // Wait for steps, not for a fixed time: a loaded 2-core machine may draw a few fps.
  const waitSteps = async (from, n) => {
    const t0 = performance.now();
    while (g.totalSteps - from < n && performance.now() - t0 < 20000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return g.totalSteps - from;
  };
  const s0 = g.totalSteps;
  await waitSteps(s0, 5);
  const label = document.getElementById('policy-name').textContent;
  const actions = Array.from(shiftplay.env.actions);
  g.setPolicy({name: 'broken', label: 'Broken', act() { return Promise.reject(new Error('no model')); }});
  const s1 = g.totalSteps;
  const fallbackSteps = await waitSteps(s1, 5);
  g.setPolicy(null);
  return {calls, maxInflight, goodObs, steps: s1 - s0, label, actions, fallbackSteps,
          expected: Array.from(fixed),
          restored: document.getElementById('policy-name').textContent};
}"""


@pytest.mark.parametrize("name", ENVS)
def test_async_policy_plugs_in_and_falls_back(page, server_url, name):
    open_play(page, server_url, name, query="?policy=baseline")  # no model racing it
    r = page.evaluate(ASYNC_POLICY)
    assert r["steps"] > 3 and r["calls"] >= r["steps"]
    assert r["maxInflight"] == 1, "steps must never overlap"
    assert r["goodObs"], "the policy gets the observation buffer (num_agents x obs_size)"
    assert r["label"] == "Test policy"
    assert r["actions"] == r["expected"]
    assert r["fallbackSteps"] > 3, "a failing policy falls back to the baseline"
    assert r["restored"] == "Scripted baseline (C)"
    assert page.console.errors == []
    assert any("using the baseline" in w for w in page.console.warnings)


def test_unknown_env_page_is_a_404(page, server_url):
    response = page.goto(f"{server_url}/play/no_such_env")
    assert response.status == 404
    assert "no_such_env" in page.inner_text("body")


@pytest.mark.parametrize("name", ENVS)
def test_browser_matches_native_from_the_same_seed(page, server_url, name):
    """The module in the page (not only in node) steps exactly like the native env."""
    import numpy as np

    import envs

    open_play(page, server_url, name, query="?seed=7")
    assert page.evaluate("shiftplay.state().episode") == 1
    got = page.evaluate("""() => {
      const g = shiftplay.game, env = shiftplay.env;
      g.stop();
      g.setPolicy(null);   // the baseline, even if a trained model has loaded meanwhile
      g.reset(7);
      for (let i = 0; i < 200; i++) g.advance();   // the baseline bot, synchronously
      const o = env.obs;
      return Array.from(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
    }""")
    native = envs.make(name, num_envs=1, seed=7)
    for _ in range(200):
        native.step(native.baseline_actions())
    assert bytes(got) == native.observations.view(np.uint8).tobytes()
    native.close()
    assert page.console.errors == []


CONTINUOUS = [n for n in ENVS if manifest()["envs"][n]["spec"].get("action_kind") == "continuous"]

WILD_POLICY = """async () => {
  // A policy that returns values C would have to clamp: the page clamps them first, as C
  // reads them (NaN as 0), so the actions shown are the actions played.
  const g = shiftplay.game, env = shiftplay.env, info = env.info();
  const wild = [NaN, 1e9, -1e9, Infinity, -Infinity];
  g.setPolicy({name: 'wild', label: 'Wild policy', act() {
    const a = env.newActions();
    for (let i = 0; i < a.length; i++) a[i] = wild[i % wild.length];
    return a;
  }});
  const s0 = g.totalSteps;
  while (g.totalSteps < s0 + 3) await new Promise((r) => setTimeout(r, 20));
  const played = Array.from(env.actions), decided = Array.from(g.lastDecision.actions);
  g.setPolicy(null);
  return {played, decided, low: Array.from(info.actionLow), high: Array.from(info.actionHigh),
          dim: info.actionDim};
}"""


@pytest.mark.parametrize("name", CONTINUOUS)
def test_page_clamps_continuous_actions_like_c(page, server_url, name):
    open_play(page, server_url, name, query="?policy=baseline")
    r = page.evaluate(WILD_POLICY)
    wild = [float("nan"), 1e9, -1e9, float("inf"), float("-inf")]
    want = []
    for i in range(len(r["played"])):
        lo, hi = r["low"][i % r["dim"]], r["high"][i % r["dim"]]
        v = wild[i % len(wild)]
        want.append(min(max(0.0 if v != v else v, lo), hi))
    assert r["played"] == want and r["decided"] == want
    assert page.console.errors == []
