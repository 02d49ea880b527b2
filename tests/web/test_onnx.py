"""The trained policy in the browser (onnxruntime-web), against Python onnxruntime and the
native envs, and its fallbacks.

For every shipped model (web/models/<env>.onnx of an env built for the web): the page's
logits equal Python onnxruntime's on observations collected natively; a fixed-seed episode
under argmax scores exactly what the native evaluation scores; Shift hands the game from
the model to the keyboard and back. Broken parts (model 404 / garbage / mismatched
sidecar, onnxruntime-web 404, env wasm 404, no WebAssembly) show a banner and the game
keeps playing where it can.
"""
import json
import math
import os

import numpy as np
import pytest

from tests.web.common import ROOT, control_keys, env_names, manifest, tap

MODELS = os.path.join(ROOT, "web", "models")
SHIPPED = [n for n in env_names() if os.path.isfile(os.path.join(MODELS, n + ".onnx"))]
# Env params for the episode test: short games where the env has a knob for it.
EPISODE_PARAMS = {"pong": {"points_to_win": 5}, "breakout": {"max_steps": 3000}}
EPISODE_SEED = 11
MAX_EPISODE_STEPS = 20000
NO_MODEL = [n for n in env_names() if n not in SHIPPED]
# Guarded: window.shiftplay is set only once the env has loaded, after the page's load
# event (where page.goto returns).
READY = ("window.shiftplay && shiftplay.policyStatus && "
         "shiftplay.policyStatus.state === 'ready'")
MODEL_PLAYS = ("window.shiftplay && shiftplay.game.lastDecision && "
               "shiftplay.game.lastDecision.source === 'model'")
SETTLED = ("window.shiftplay && shiftplay.policyStatus && ['ready', 'failed', 'none', 'off']"
           ".includes(shiftplay.policyStatus.state)")


def expected_404(errors, *parts):
    """Console errors minus the 'Failed to load resource' lines of routes we broke."""
    return [e for e in errors
            if not ("Failed to load resource" in e and "404" in e)
            and not any(p in e for p in parts)]


def goto(page, server_url, name, query=""):
    page.goto(f"{server_url}/play/{name}{query}")
    page.wait_for_function("window.shiftplay && shiftplay.game.totalSteps > 0")


def wait_steps(page, k):
    target = page.evaluate("shiftplay.game.totalSteps") + k
    page.wait_for_function(f"shiftplay.game.totalSteps >= {target}")


def banner_text(page):
    return page.evaluate(
        "[...document.querySelectorAll('#banners .banner')].map(b => b.innerText).join('\\n')")


@pytest.fixture(scope="module", params=SHIPPED)
def model_page_kept(request, browser, server_url):
    """One play page per shipped model, the trained policy loaded and playing."""
    from tests.web.conftest import Console

    name = request.param
    if name not in manifest().get("envs", {}):
        raise AssertionError(f"{name} is not built for the web: run `make web`")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.console = Console(page)
    page.set_default_timeout(60000)
    goto(page, server_url, name, "?seed=4242")
    page.wait_for_function(READY)
    page.wait_for_function(MODEL_PLAYS)
    page.env_name = name
    page.evaluate("shiftplay.game.stop()")
    yield page
    context.close()


@pytest.fixture
def model_page(model_page_kept):
    """The model page, its frame loop running only during the test (the machine is small)."""
    page = model_page_kept
    page.evaluate("shiftplay.game.start()")
    yield page
    page.evaluate("shiftplay.game.stop()")


def python_model(name, folder=MODELS):
    import envs
    from export.model import load_model

    return load_model(os.path.join(folder, name + ".onnx"), envs.spec(name))


def native_observations(name, count=96, seed=3):
    """`count` observation rows of the native env under its baseline, over time."""
    import envs

    env = envs.make(name, num_envs=1, seed=seed)
    rows = []
    step = 0
    while sum(len(r) for r in rows) < count:
        if step % 7 == 0:
            rows.append(env.observations.copy())
        env.step(env.baseline_actions())
        step += 1
    env.close()
    return np.concatenate(rows)[:count]


# ---- serving ------------------------------------------------------------------------------

ORT_DIST = os.path.join(ROOT, "web", "node_modules", "onnxruntime-web", "dist")


def test_onnxruntime_web_is_pinned_and_served_precompressed(server_url):
    """web/package.json pins onnxruntime-web; its wasm and module come from our server with
    their types, as brotli when accepted (make web precompresses them)."""
    import urllib.request

    with open(os.path.join(ROOT, "web", "package.json")) as f:
        pinned = json.load(f)["dependencies"]["onnxruntime-web"]
    with open(os.path.join(ROOT, "web", "node_modules", "onnxruntime-web", "package.json")) as f:
        installed = json.load(f)["version"]
    assert pinned == installed, "web/node_modules is stale: run `make web` (npm ci)"
    for rel, ctype in (("ort-wasm-simd-threaded.wasm", "application/wasm"),
                       ("ort.wasm.bundle.min.mjs", "text/javascript; charset=utf-8")):
        assert os.path.isfile(os.path.join(ORT_DIST, rel + ".br")), \
            f"{rel}.br is missing: run `make web` (web/tools/precompress_ort.sh)"
        for encoding, suffix in (("br, gzip", ".br"), ("gzip", ".gz"), ("identity", "")):
            req = urllib.request.Request(f"{server_url}/ort/{rel}?v=1", method="HEAD",
                                         headers={"Accept-Encoding": encoding})
            with urllib.request.urlopen(req) as r:
                assert r.headers["Content-Type"] == ctype
                assert r.headers.get("Content-Encoding") == (suffix[1:].replace("gz", "gzip")
                                                             or None)
                assert int(r.headers["Content-Length"]) == os.path.getsize(
                    os.path.join(ORT_DIST, rel + suffix))
                assert "immutable" in r.headers["Cache-Control"]


# ---- the model itself -------------------------------------------------------------------

def check_page_gaussian(page, model, obs):
    """Continuous actions: the page's mean, log_std and value equal Python onnxruntime's;
    the live decision carries means and stds (exp(log_std)) per agent and dimension."""
    want = model(obs)
    got = page.evaluate(
        """async ([rows, dtype]) => {
          const T = dtype === 'uint8' ? Uint8Array : Float32Array;
          const out = await shiftplay.model.infer(T.from(rows.flat()), rows.length);
          return [Array.from(out.mean), Array.from(out.logStd), Array.from(out.value)];
        }""", [obs.tolist(), str(obs.dtype)])
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g, np.float32).reshape(w.shape), w, rtol=0,
                                   atol=1e-5)
    d = page.evaluate("""() => { const d = shiftplay.game.lastDecision;
      return {means: Array.from(d.means), stds: Array.from(d.stds), probs: d.probs,
              n: d.actions.length}; }""")
    dim = model.spec["action_dim"]
    assert d["probs"] is None and len(d["means"]) == len(d["stds"]) == d["n"]
    np.testing.assert_allclose(d["stds"][:dim], np.exp(want[1][0]), rtol=1e-5)


def test_page_logits_equal_python_onnxruntime(model_page):
    name = model_page.env_name
    obs = native_observations(name)
    model = python_model(name)
    if model.continuous:
        check_page_gaussian(model_page, model, obs)
        assert model_page.console.errors == []
        return
    # A recurrent model: both sides from the zero state (infer without a state).
    want_logits, want_value = model(obs)[:2]
    got = model_page.evaluate(
        """async ([rows, dtype, size]) => {
          const T = dtype === 'uint8' ? Uint8Array : Float32Array;
          const out = await shiftplay.model.infer(T.from(rows.flat()), rows.length);
          return {logits: Array.from(out.logits), value: Array.from(out.value)};
        }""", [obs.tolist(), str(obs.dtype), obs.shape[1]])
    logits = np.asarray(got["logits"], dtype=np.float32).reshape(want_logits.shape)
    value = np.asarray(got["value"], dtype=np.float32).reshape(want_value.shape)
    # float32 sums in another order (wasm SIMD vs native): a few ulps, relative to the
    # logit's size (a confident model's logits reach +-60)
    np.testing.assert_allclose(logits, want_logits, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(value, want_value, rtol=1e-6, atol=1e-5)
    assert (logits.argmax(1) == want_logits.argmax(1)).all()
    # The live decision: probabilities over the actions, a value per agent.
    d = model_page.evaluate("""() => { const d = shiftplay.game.lastDecision;
      return {probs: Array.from(d.probs), values: Array.from(d.values), n: d.actions.length,
              source: d.source, human: d.human}; }""")
    probs = np.asarray(d["probs"]).reshape(d["n"], -1)
    assert probs.shape[1] == model.spec["num_actions"] and len(d["values"]) == d["n"]
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert model_page.console.errors == []


# ---- Shift under the model --------------------------------------------------------------

def human_state(page):
    return page.evaluate("""() => { const s = shiftplay.state(), d = shiftplay.game.lastDecision;
      return Object.assign(s, {source: d.source, human: d.human,
        hasProbs: !!(d.probs || d.means), bot: d.botActions ? Array.from(d.botActions) : null,
        acted: Array.from(d.actions),
        label: document.getElementById('policy-name').textContent,
        view: document.getElementById('policy-view').innerText}); }""")


def same_episode(earlier, later, what):
    if later["episode"] == earlier["episode"]:
        assert later["steps"] > earlier["steps"], f"{what}: the step counter must go on"
        return
    assert later["episode"] > earlier["episode"], f"{what}: the episode counter went back"
    if later["episode"] == earlier["episode"] + 1:
        # The episode that ended is the one that was running: it went on, not reset.
        assert later["lastLength"] > earlier["steps"], f"{what} must not reset the episode"
    # More than one ended (a snake the keys steered into a wall twice on a slow machine):
    # the last one's length says nothing about the first; the counter went forward.


def test_shift_hands_the_model_game_to_the_keyboard_and_back(model_page):
    page = model_page
    spec = manifest()["envs"][page.env_name]["spec"]
    names = spec["action_names"]
    keys = [(a, k) for a, k in (("UP", "ArrowUp"), ("DOWN", "ArrowDown"), ("LEFT", "ArrowLeft"),
                                ("RIGHT", "ArrowRight")) if a in names]
    turn_based = bool(spec.get("turn_based"))
    if turn_based:  # envs/env.h: digit key i + 1 plays action i
        keys = [(names[i], f"Digit{i + 1}") for i in range(min(len(names), 9))]
    continuous = spec.get("action_kind") == "continuous"
    if continuous:  # the keys ramp action values (envs/env.h): which ones is the env's
        keys = [(None, k) for k in ("ArrowUp", "ArrowLeft", "ArrowRight")]
    assert keys, "no arrow key maps to an action"
    wait_steps(page, 2)
    before = human_state(page)
    assert before["label"] == "Trained policy (PPO)" and before["source"] == "model"
    for round_ in range(2):  # BOT -> YOU -> BOT, twice
        page.keyboard.down("Shift")
        page.wait_for_function("document.getElementById('control').textContent === 'YOU'")
        for action, key in keys[:2]:
            if turn_based:
                # The page waits for the human's move; a digit plays it once (a full
                # column's digit is ignored: the press goes to a legal one).
                mask = page.evaluate(f"Array.from(shiftplay.env.agentObs(shiftplay.game.humanAgent))"
                                     f".slice({spec['action_mask_obs']}, {spec['action_mask_obs']} + {len(names)})")
                legal = [i for i in range(min(len(names), 9)) if mask[i]]
                assert legal, "the human is to move"
                steps = page.evaluate("shiftplay.game.totalSteps")
                tap(page, f"Digit{legal[0] + 1}" if not mask[names.index(action)] else key)
                # One move, then it waits for the next (the step may come while the key is down).
                page.wait_for_function(f"shiftplay.game.totalSteps > {steps}")
                s = human_state(page)
                assert s["control"] == "YOU" and s["human"], "the human drives"
                assert s["source"] == "model" and s["hasProbs"]
                continue
            page.keyboard.down(key)
            wait_steps(page, 3)
            if action is not None and not continuous:
                # The policy view redraws at most VIEW_HZ times a second (policy_view.js):
                # it may still show the step before this key's first one.
                page.wait_for_function("(t) => document.getElementById('policy-view').innerText.includes(t)",
                                       arg="You: " + action, timeout=5000)
            s = human_state(page)
            page.keyboard.up(key)
            assert s["control"] == "YOU" and s["human"], "the human drives"
            if continuous:
                dim = spec["action_dim"]
                assert s["source"] == "model" and s["hasProbs"] and s["bot"] is not None
                assert s["acted"][:dim] != s["bot"][:dim], "the human's action is played"
                assert "You: " in s["view"] and "the bot would: " in s["view"]
                continue
            assert s["acted"][0] == names.index(action), f"{key} should step {action}"
            # The model keeps running: the view shows what the bot would do.
            assert s["source"] == "model" and s["hasProbs"] and s["bot"] is not None
            assert "You: " + action in s["view"]
        taken = human_state(page)
        same_episode(before, taken, f"taking over ({round_})")
        assert taken["split"]["youSteps"] > 0 or taken["episode"] > before["episode"]
        page.keyboard.up("Shift")
        page.wait_for_function("document.getElementById('control').textContent === 'BOT'")
        wait_steps(page, 3)
        back = human_state(page)
        same_episode(taken, back, f"handing back ({round_})")
        assert back["control"] == "BOT" and not back["human"] and back["source"] == "model"
        assert back["label"] == "Trained policy (PPO)"
        if back["episode"] == taken["episode"]:
            assert back["split"]["botSteps"] > taken["split"]["botSteps"]
            # (youSteps is 0 when the human's snake died and a new episode began while
            # the human drove; the check above covers the case where it did not)
            assert back["split"]["youSteps"] >= taken["split"]["youSteps"]
        before = back
    assert page.console.errors == []


def test_paddle_follows_the_keys_under_the_model(model_page):
    """Envs with a control observation (spec control_obs, e.g. a paddle coordinate): it
    moves with the keys while the model runs."""
    page = model_page
    spec = manifest()["envs"][page.env_name]["spec"]
    if control_keys(spec) is None:
        pytest.skip(f"{page.env_name} has no control observation")
    i, less, more = control_keys(spec)
    page.keyboard.down("Shift")
    page.wait_for_function("shiftplay.game.humanActive")
    readings = []
    for key in (more, less, more):
        page.keyboard.down(key)
        wait_steps(page, 4)
        page.keyboard.up(key)
        readings.append(page.evaluate("shiftplay.state().obs")[i])
    page.keyboard.up("Shift")
    assert readings[1] < readings[0] and readings[2] > readings[1], readings
    page.wait_for_function("!shiftplay.game.humanActive")
    assert page.console.errors == []


def test_policy_view_shows_each_single_step_at_once(model_page):
    """Running, the bars follow the steps a few times a second (policy_view.js VIEW_HZ);
    paused, each single step (N) shows its own probabilities or means at once."""
    page = model_page
    page.keyboard.press("p")
    page.wait_for_function("shiftplay.game.paused && !shiftplay.game.busy")
    for _ in range(3):
        s0 = page.evaluate("shiftplay.game.totalSteps")
        page.keyboard.press("n")
        page.wait_for_function(f"shiftplay.game.totalSteps > {s0} && !shiftplay.game.busy")
        got = page.evaluate("""() => { const d = shiftplay.game.lastDecision;
          const v = shiftplay.policyView;
          const a = v.agent, A = v.names.length;
          const want = d.probs ? Array.from(d.probs.slice(a * A, a * A + A), (p) => `${Math.round((Math.round(p * 1000) / 1000) * 100)}%`)
                               : Array.from(d.means.slice(a * A, a * A + A), (m) => m.toFixed(2));
          const shown = [...document.querySelectorAll('#policy-view .pv-row')].map((r) =>
            (r.querySelector('.pv-pct') || r.querySelector('.pv-num') || r).textContent);
          return {want, shown, source: d.source}; }""")
        assert got["source"] == "model"
        for want, shown in zip(got["want"], got["shown"]):
            assert want in shown, (got["want"], got["shown"])
    page.keyboard.press("p")


def test_sampling_toggle(model_page):
    page = model_page
    page.click("#pv-sample")
    wait_steps(page, 3)
    d = page.evaluate("({mode: shiftplay.game.policyMode, last: shiftplay.game.lastDecision.mode})")
    page.click("#pv-sample")
    assert d == {"mode": "sample", "last": "sample"}
    assert page.evaluate("shiftplay.game.policyMode") == "argmax"
    assert page.console.errors == []


# ---- a whole episode, browser vs native -------------------------------------------------

EPISODE_JS = """async ([seed, params, maxSteps]) => {
  const g = shiftplay.game, env = shiftplay.env, model = shiftplay.model;
  g.stop();
  await new Promise((r) => setTimeout(r, 50));   // any step in flight settles
  env.create(seed, params.length ? params : undefined);
  const info = env.info();   // no policyMode: argmax
  // Episodes start now, and again for an agent after its terminal or truncation (a
  // recurrent model zeroes those agents' state; a feed-forward one ignores it).
  info.starts = new Uint8Array(env.numAgents).fill(1);
  let checksum = 0, steps = 0;
  const played = [];  // continuous actions, every value of every step
  for (; steps < maxSteps; steps++) {
    const acts = await model.act(env.obs, info);
    info.starts.fill(0);
    if (env.continuous) played.push(...acts);
    // Continuous actions count in millionths (the same float32 on both sides).
    for (let i = 0; i < acts.length; i++) {
      checksum = ((checksum * 31 + Math.floor(acts[i] * 1e6) + 1) % 1000000007 + 1000000007) % 1000000007;
    }
    env.step(acts);
    env.terminals.forEach((t, i) => { if (t || env.truncations[i]) info.starts[i] = 1; });
    if (env.agentStats(0).done) { steps++; break; }
  }
  const s = env.agentStats(0);
  const o = env.obs;
  const bytes = Array.from(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
  return {steps, checksum, score: s.lastScore, ret: s.lastReturn, length: s.lastLength,
          done: s.done, bytes, played};
}"""


def native_episode(name, seed, params, max_steps, folder=MODELS):
    import envs

    model = python_model(name, folder)
    env = envs.make(name, num_envs=1, seed=seed, **params)
    checksum, steps, log, played = 0, 0, None, []
    starts = np.ones(env.num_agents, dtype=bool)
    agents = np.arange(env.num_agents)
    while steps < max_steps:
        if model.recurrent:  # state carried per agent, zeroed where an episode starts
            acts = model.act(env.observations, agents, starts)
        else:
            acts = model.act(env.observations)
        if env.continuous:
            played.extend(acts.ravel().tolist())
        for a in acts.ravel():
            checksum = (checksum * 31 + math.floor(float(a) * 1e6) + 1) % 1000000007
        env.actions[:] = acts
        env.step_unchecked()
        starts = env.terminals | env.truncations
        steps += 1
        if env.terminals[0] or env.truncations[0]:
            log = env.take_agent_logs([0])
            break
    out = {"steps": steps, "checksum": checksum, "bytes": env.observations.view(np.uint8)
           .tobytes(), "log": log, "played": played}
    env.close()
    return out


def test_browser_episode_scores_like_the_native_evaluation(model_page):
    page = model_page
    name = page.env_name
    spec = manifest()["envs"][name]["spec"]
    params = EPISODE_PARAMS.get(name, {})
    values = [params.get(p["name"], p["default"]) for p in spec["params"]] if params else []
    got = page.evaluate(EPISODE_JS, [EPISODE_SEED, values, MAX_EPISODE_STEPS])
    want = native_episode(name, EPISODE_SEED, params, MAX_EPISODE_STEPS)
    assert got["done"] and want["log"] is not None, "the episode should end"
    assert got["steps"] == want["steps"]
    log = want["log"]
    if want["played"]:
        # Continuous actions are the model's means themselves: onnxruntime-web's wasm
        # kernels and the native ones round the last bit differently (~1e-7), and the
        # env follows such differences exactly, so the episode is compared with a
        # tolerance: the same length and outcome, actions and final state within it.
        diff = np.abs(np.float32(got["played"]) - np.float32(want["played"]))
        assert diff.max() <= 1e-4, f"the browser chose other actions (max diff {diff.max()})"
        np.testing.assert_allclose(np.frombuffer(bytes(got["bytes"]), np.float32),
                                   np.frombuffer(want["bytes"], np.float32), atol=1e-3)
        assert got["score"] == pytest.approx(float(log["score"][0]), rel=1e-3)
        assert got["ret"] == pytest.approx(float(log["episode_return"][0]), rel=1e-3)
    else:
        assert got["checksum"] == want["checksum"], "the browser chose other actions"
        assert bytes(got["bytes"]) == want["bytes"]
        assert got["score"] == pytest.approx(float(log["score"][0]), abs=1e-6)
        assert got["ret"] == pytest.approx(float(log["episode_return"][0]), abs=1e-4)
    assert got["length"] == int(log["episode_length"][0]) == got["steps"]
    if name == "pong":
        assert got["score"] > 0, "the trained pong policy should win"
    # Put the page back as it was: default params, the frame loop running.
    page.evaluate("() => { shiftplay.env.create(4242); shiftplay.game.reset(4242); "
                  "shiftplay.game.start(); }")
    wait_steps(page, 2)
    assert page.console.errors == []


# ---- graceful degradation ---------------------------------------------------------------

def agents(name):
    return manifest()["envs"][name]["spec"].get("num_agents", 1)


# Preferably a multi-agent env (the batched path), while it has no shipped model: first
# without a model, then with a fresh one plugged in (test_a_multi_agent_model_...).
SYNTHETIC = next((n for n in NO_MODEL if n in manifest().get("envs", {}) and agents(n) > 1),
                 None)
# Otherwise an env without a model, else a model switched off with ?policy=baseline.
BASELINE_CASE = ([] if SYNTHETIC else
                 [(NO_MODEL[0], "", "none", "No trained model")] if NO_MODEL else
                 [(SHIPPED[0], "?policy=baseline", "off", "?policy=baseline")] if SHIPPED else [])


@pytest.mark.parametrize(("name", "query", "state", "note"), BASELINE_CASE)
def test_without_a_model_the_baseline_plays_and_the_page_says_so(page, server_url, name, query,
                                                                   state, note):
    goto(page, server_url, name, query)
    page.wait_for_function(SETTLED)
    assert page.evaluate("shiftplay.policyStatus.state") == state
    wait_steps(page, 3)
    assert note in page.inner_text("#policy-view")
    assert page.inner_text("#policy-name") == "Scripted baseline (C)"
    d = page.evaluate("(({source, probs}) => ({source, probs}))(shiftplay.game.lastDecision)")
    assert d == {"source": "baseline", "probs": None}
    assert banner_text(page) == ""
    assert page.console.errors == []


BAD_LOADS = """async () => {
  const { loadOnnxPolicy } = await import('/static/onnx_policy.js');
  const cfg = shiftplay.config.policy, env = shiftplay.env;
  const tries = {
    garbage: Object.assign({}, cfg, {model: '/models/garbage.onnx'}),
    mismatch: Object.assign({}, cfg, {meta: '/models/mismatch.json'}),
    missing_ort_wasm: Object.assign({}, cfg, {ort_wasm: '/ort/missing.wasm'}),
    missing_ort_module: Object.assign({}, cfg, {ort_module: '/ort/missing.mjs'}),
  };
  const out = {};
  for (const [k, c] of Object.entries(tries)) {
    try { await loadOnnxPolicy(env, c); out[k] = 'loaded'; }
    catch (e) { out[k] = (e.name || '') + ': ' + e.message; }
  }
  return out;
}"""


@pytest.mark.skipif(not SHIPPED, reason="no shipped model")
def test_model_404_shows_a_banner_and_the_baseline_keeps_playing(page, host_url):
    name = SHIPPED[0]
    page.route("**/models/*.onnx*", lambda route: route.fulfill(status=404, body="nope"))
    goto(page, host_url, name)
    page.wait_for_function(SETTLED)
    status = page.evaluate("shiftplay.policyStatus")
    assert status["state"] == "failed"
    text = banner_text(page)
    assert "could not be loaded" in text and "HTTP 404" in text and "baseline" in text
    wait_steps(page, 3)
    assert page.inner_text("#policy-name") == "Scripted baseline (C)"
    assert page.evaluate("shiftplay.game.lastDecision.source") == "baseline"
    assert "unavailable" in page.inner_text("#policy-view")
    assert expected_404(page.console.errors) == []


def test_the_model_runs_in_its_worker_started_while_the_page_parses(model_page):
    """The session lives in onnx_worker.js, created from play.html's <head> (so its
    downloads and start run while the main thread starts the env), and plays the game."""
    page = model_page
    got = page.evaluate("""() => ({
      runsIn: shiftplay.model.runsIn,
      boot: !!(document.getElementById('model-boot') && document.getElementById('model-boot').worker),
      timings: shiftplay.timings,
      source: shiftplay.game.lastDecision.source,
    })""")
    assert got["runsIn"] == "worker" and got["boot"], got
    assert got["source"] == "model"
    t = got["timings"]
    # The worker's own marks, on the page's clock, in order.
    assert 0 < t["worker.policyLoadStart"] <= t["worker.ortLoaded"] <= t["modelLoaded"], t
    # The runtime was handed the module compiled while its wasm downloaded, before its
    # session started.
    assert (t["worker.ortLoaded"] <= t["worker.ortPrecompiled"] <= t["worker.sessionCreated"]
            <= t["modelLoaded"]), t
    wait_steps(page, 5)
    assert page.evaluate("shiftplay.model.failures") == 0


# Once the model's worker says it started, the page's main thread is kept busy for BUSY_MS
# (an instrument around Worker, as a long env start would): the worker must get on with
# its job meanwhile. Sent its job in a message, it waited for the main thread (here for
# all of BUSY_MS; on a real load under software GL until the env's first frame).
BUSY_MS = 3000
BUSY_AFTER_WORKER_STARTS = """(() => {
  const Original = window.Worker;
  window.Worker = function (url, options) {
    const worker = new Original(url, options);
    worker.addEventListener('message', (e) => {
      if (window.__busy || !e.data || e.data.type !== 'started') return;
      window.__busy = { start: performance.now() };
      while (performance.now() - window.__busy.start < %d) { /* busy */ }
      window.__busy.end = performance.now();
    });
    return worker;
  };
  window.Worker.prototype = Original.prototype;
})();""" % BUSY_MS


@pytest.mark.skipif(not SHIPPED, reason="no shipped model")
def test_the_worker_loads_the_model_while_the_main_thread_is_busy(page, server_url):
    """The worker's job (the model's config) is in its URL, so it downloads and starts the
    model without waiting for the page's main thread, and the model then plays."""
    name = SHIPPED[0]
    page.add_init_script(BUSY_AFTER_WORKER_STARTS)
    goto(page, server_url, name)
    page.wait_for_function(READY, timeout=60000)
    got = page.evaluate("({busy: window.__busy, t: shiftplay.timings})")
    busy, t = got["busy"], got["t"]
    assert busy and busy["end"] - busy["start"] >= BUSY_MS, got
    assert t["worker.policyLoadStart"] < busy["end"], got
    page.wait_for_function(MODEL_PLAYS)
    assert page.console.errors == []


def test_a_worker_started_without_its_job_says_so(page, server_url):
    """onnx_worker.js started with no job in its URL (or an unreadable one) answers
    'failed' with a readable message instead of waiting for ever."""
    page.goto(f"{server_url}/")
    got = page.evaluate("""async () => {
      const answers = [];
      for (const hash of ['', '#not-json', '#' + encodeURIComponent('{"cfg": 1}')]) {
        const worker = new Worker('static/onnx_worker.js' + hash, { type: 'module' });
        answers.push(await new Promise((resolve) => {
          const said = [];
          worker.onmessage = (e) => { said.push(e.data); if (e.data.type !== 'started') resolve(said); };
          worker.onerror = (e) => resolve([{ type: 'error', message: e.message }]);
          setTimeout(() => resolve(said.concat([{ type: 'no answer in 20 s' }])), 20000);
        }));
        worker.terminate();
      }
      return answers;
    }""")
    for said in got:
        assert [m["type"] for m in said] == ["started", "failed"], got
        assert "without its job" in said[1]["message"], got
        assert "fragment" in said[1]["detail"], got


@pytest.mark.skipif(not SHIPPED, reason="no shipped model")
def test_a_runtime_wasm_that_cannot_stream_is_compiled_from_its_bytes(page, host_url):
    """A host that sends onnxruntime-web's .wasm with another type: the streaming compile
    fails, the runtime compiles the bytes itself, and the model plays, without a banner."""
    name = SHIPPED[0]

    def octet_stream(route):
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
        headers["content-type"] = "application/octet-stream"
        route.fulfill(response=response, headers=headers)

    page.route("**/ort-wasm-simd-threaded.wasm*", octet_stream)
    goto(page, host_url, name)
    page.wait_for_function(READY, timeout=60000)
    page.wait_for_function(MODEL_PLAYS)
    t = page.evaluate("shiftplay.timings")
    assert "worker.sessionCreated" in t and "worker.ortPrecompiled" not in t, t
    assert banner_text(page) == ""
    assert page.console.errors == []


@pytest.mark.skipif(not SHIPPED, reason="no shipped model")
def test_without_its_worker_the_model_starts_on_the_main_thread(page, host_url):
    """onnx_worker.js missing: the <head> worker fails, and the model still loads, on the
    page's main thread, with a warning (not a banner)."""
    name = SHIPPED[0]
    page.route("**/static/onnx_worker.js*", lambda route: route.fulfill(status=404, body="nope"))
    goto(page, host_url, name)
    page.wait_for_function(SETTLED, timeout=60000)
    assert page.evaluate("shiftplay.policyStatus.state") == "ready"
    page.wait_for_function(MODEL_PLAYS)
    assert page.evaluate("shiftplay.model.runsIn") == "page"
    assert banner_text(page) == ""
    assert any("worker could not run" in w for w in page.console.warnings), page.console.warnings
    assert expected_404(page.console.errors, "onnx_worker") == []


@pytest.mark.skipif(not SHIPPED, reason="no shipped model")
def test_a_broken_model_in_the_worker_shows_the_banner(page, host_url):
    """A failure inside the worker (a damaged model) reaches the page as the same readable
    banner, and the baseline keeps playing."""
    name = SHIPPED[0]
    page.route("**/models/*.onnx*", lambda route: route.fulfill(status=200, body=b"not an onnx model"))
    goto(page, host_url, name)
    page.wait_for_function(SETTLED, timeout=60000)
    assert page.evaluate("shiftplay.policyStatus.state") == "failed"
    text = banner_text(page)
    assert "could not be loaded" in text and "baseline" in text, text
    wait_steps(page, 3)
    assert page.evaluate("shiftplay.game.lastDecision.source") == "baseline"


def test_broken_models_fail_with_readable_messages(model_page):
    """Every other way to break the load (garbage model, mismatched sidecar,
    onnxruntime-web's .mjs or .wasm 404), straight through the page's loader: its message
    is what the banner shows. On the model page, so the runtime is already up."""
    page = model_page
    name = page.env_name
    with open(os.path.join(MODELS, name + ".json")) as f:
        meta = json.load(f)
    meta["observation"]["size"] += 1
    meta["actions"]["count"] += 1
    page.route("**/models/garbage.onnx", lambda r: r.fulfill(status=200, body=b"\x08garbage" * 64))
    page.route("**/models/mismatch.json", lambda r: r.fulfill(status=200, body=json.dumps(meta),
                                                               content_type="application/json"))
    out = page.evaluate(BAD_LOADS)
    assert "could not start the model" in out["garbage"], out
    assert "does not fit" in out["mismatch"] and "observation values" in out["mismatch"], out
    assert "actions" in out["mismatch"], out
    assert "HTTP 404" in out["missing_ort_wasm"], out
    assert "onnxruntime-web could not be loaded from /ort/missing.mjs" in out["missing_ort_module"]
    assert page.evaluate("shiftplay.game.policy.label") == "Trained policy (PPO)"
    assert expected_404(page.console.errors, "missing.mjs") == []
    page.console.errors.clear()


def test_env_wasm_404_shows_a_banner(page, server_url):
    name = env_names()[0]
    page.route(f"**/build/{name}.wasm*", lambda route: route.fulfill(status=404, body="nope"))
    page.goto(f"{server_url}/play/{name}")
    page.wait_for_selector("#banners .banner-error")
    assert "Could not start the game" in banner_text(page)
    assert "Could not start the game" in page.inner_text("#overlay")
    assert page.evaluate("window.shiftplay === undefined")


def test_no_webassembly_shows_a_banner(page, server_url):
    page.add_init_script("delete window.WebAssembly")
    page.goto(f"{server_url}/play/{env_names()[0]}")
    page.wait_for_selector("#banners .banner-error")
    page.wait_for_function("document.getElementById('overlay').classList.contains('error')")
    assert "WebAssembly" in banner_text(page)


def test_no_webgl_shows_a_banner(page, server_url):
    page.add_init_script("""{ const get = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
        return /webgl/.test(type) ? null : get.call(this, type, ...rest);
      }; }""")
    page.goto(f"{server_url}/play/{env_names()[0]}")
    page.wait_for_selector("#banners .banner-error")
    page.wait_for_function("document.querySelectorAll('#banners .banner').length >= 2")
    first = page.inner_text("#banners .banner:first-child")
    assert "WebGL is not available" in first
    assert "Could not start the game" in banner_text(page)


# ---- any env: a fresh (untrained) model for an env that has none yet ---------------------

# argv: env name, output folder[, LSTM state size (0: the config's policy as it is)]
EXPORT_FRESH = """
import sys, torch, envs
from export.onnx_export import export
from train.config import load_config
from train.policy import make_policy
name, out = sys.argv[1:3]
config = dict(load_config(name)["policy"])
if len(sys.argv) > 3 and int(sys.argv[3]):
    config["lstm"] = int(sys.argv[3])
torch.manual_seed(0)
policy = make_policy(envs.spec(name), config)
export(name, out_dir=out, policy=policy, evaluate_model=False, log=lambda text: None)
"""


def export_fresh(tmp_path_factory, name, lstm=0):
    """For a module fixture (`yield from`): exports a freshly initialised policy for
    `name` (with an LSTM of that size if `lstm`) through the real export path into a
    temporary folder, in a child process (torch stays out of the process that drives the
    browser) that runs while the test opens its page; yields ready() -> the folder."""
    import subprocess
    import sys

    out = str(tmp_path_factory.mktemp(f"fresh_{name}_lstm{lstm}"))
    proc = subprocess.Popen([sys.executable, "-c", EXPORT_FRESH, name, out, str(lstm)],
                            cwd=ROOT)

    def ready():
        assert proc.wait(timeout=300) == 0, f"exporting a fresh policy for {name} failed"
        return out

    yield ready
    if proc.poll() is None:
        proc.kill()


@pytest.fixture(scope="module")
def synthetic_model(tmp_path_factory):
    """<tmp>/<env>.onnx + .json exported from a freshly initialised policy."""
    yield from export_fresh(tmp_path_factory, SYNTHETIC)


LOAD_SYNTHETIC = """async ([name, bytes]) => {
  const cfg = {model: `/models/_synthetic/${name}.onnx`, meta: `/models/_synthetic/${name}.json`,
               model_bytes: bytes, ort_module: '/ort/ort.wasm.bundle.min.mjs',
               ort_wasm: '/ort/ort-wasm-simd-threaded.wasm', ort_wasm_bytes: 0};
  const { loadOnnxPolicy } = await import('/static/onnx_policy.js');
  const policy = await loadOnnxPolicy(shiftplay.env, cfg);
  shiftplay.model = policy;
  shiftplay.game.setPolicy(policy);
  return document.getElementById('policy-name').textContent;
}"""


@pytest.mark.skipif(SYNTHETIC is None, reason="every multi-agent env has a shipped model")
def test_without_a_model_the_baseline_plays_then_a_multi_agent_model_runs_batched(
        page, server_url, synthetic_model):
    name = SYNTHETIC
    goto(page, server_url, name)
    page.wait_for_function(SETTLED)
    # No model: the baseline plays and the page says so, without a banner.
    assert page.evaluate("shiftplay.policyStatus.state") == "none"
    wait_steps(page, 2)
    assert "No trained model" in page.inner_text("#policy-view")
    assert page.inner_text("#policy-name") == "Scripted baseline (C)"
    d = page.evaluate("(({source, probs}) => ({source, probs}))(shiftplay.game.lastDecision)")
    assert d == {"source": "baseline", "probs": None}
    assert banner_text(page) == ""
    # A model plugged in: batched over every agent.
    folder = synthetic_model()
    files = {ext: open(os.path.join(folder, name + ext), "rb").read() for ext in (".onnx", ".json")}

    def serve(body):
        return lambda route: route.fulfill(status=200, body=body)

    for ext, body in files.items():
        page.route(f"**/models/_synthetic/{name}{ext}", serve(body))
    label = page.evaluate(LOAD_SYNTHETIC, [name, len(files[".onnx"])])
    assert label == "Trained policy (PPO)"
    page.wait_for_function(MODEL_PLAYS)
    wait_steps(page, 2)
    n = agents(name)
    d = page.evaluate("""() => { const d = shiftplay.game.lastDecision;
      return {probs: d.probs.length, values: d.values.length, actions: d.actions.length,
              bot: d.botActions.length, view: document.getElementById('policy-view').innerText}; }""")
    num_actions = manifest()["envs"][name]["spec"]["num_actions"]
    assert d["probs"] == n * num_actions and d["values"] == d["actions"] == d["bot"] == n
    assert "agent 0" in d["view"] and "Most likely" in d["view"]
    # The page's logits (batch = agents, the env's raw dtype) equal Python's.
    obs = native_observations(name, count=2 * n)
    want = python_model(name, folder)(obs)[0]
    got = page.evaluate("""async ([rows]) => {
      const T = shiftplay.env.obsDtype === 'uint8' ? Uint8Array : Float32Array;
      return Array.from((await shiftplay.model.infer(T.from(rows.flat()), rows.length)).logits);
    }""", [obs.tolist()])
    np.testing.assert_allclose(np.asarray(got, np.float32).reshape(want.shape), want, atol=1e-5,
                               rtol=0)
    # A fixed-seed stretch under argmax: the same actions and the same observations.
    steps = 200
    got = page.evaluate(EPISODE_JS, [EPISODE_SEED, [], steps])
    want = native_episode(name, EPISODE_SEED, {}, steps, folder)
    assert got["steps"] == want["steps"]
    assert got["checksum"] == want["checksum"], "the browser chose other actions"
    assert bytes(got["bytes"]) == want["bytes"]
    assert page.console.errors == []
