"""A recurrent (LSTM) policy in the page: its state is carried per agent, zeroed where an
episode ends and on a game reset, and kept current while the human drives.

A freshly initialised LSTM policy is exported through the real export path (for the env
with the most agents, so the batched state and per-agent resets are exercised) and
plugged into the play page. The page's Game plays a fixed seed step by step: the bot, then
a Shift takeover with an arrow key held, then the bot again. Native onnxruntime replays the
same seed with the page's actions, carrying its own state and zeroing it where episodes
end: logits agree to 1e-5 at every step, argmax actions are equal, and the episodes end at
the same steps. Two control runs show the comparison can fail: without the state, or
without the resets, native logits differ from the page's far beyond the tolerance.
"""
import json
import os

import numpy as np
import pytest

from tests.web.common import KEY_OF_ACTION, manifest
from tests.web.test_onnx import (EPISODE_JS, LOAD_SYNTHETIC, MODEL_PLAYS, SETTLED, export_fresh,
                                 goto, native_episode, python_model, wait_steps)

BUILT = manifest().get("envs", {})
ENV = max(BUILT, key=lambda n: BUILT[n]["spec"].get("num_agents", 1)) if BUILT else None
LSTM = 32
SEED = 7
PHASES = (("bot", 60), ("human", 40), ("bot", 100))  # steps of each stretch, in order
TOLERANCE = 1e-5
TIE = 1e-6  # argmax is compared where the top two logits are further apart than this


@pytest.fixture(scope="module")
def lstm_model(tmp_path_factory):
    yield from export_fresh(tmp_path_factory, ENV, lstm=LSTM)


def serve_model(page, folder, name, meta=None):
    """Routes /models/_synthetic/<name>.{onnx,json} to the files in `folder` (`meta`
    replaces the sidecar); returns the model's size in bytes."""
    with open(os.path.join(folder, name + ".onnx"), "rb") as f:
        model = f.read()
    with open(os.path.join(folder, name + ".json"), "rb") as f:
        sidecar = f.read() if meta is None else json.dumps(meta).encode()
    def serve(body):
        return lambda route: route.fulfill(status=200, body=body)

    for ext, body in ((".onnx", model), (".json", sidecar)):
        url = f"**/models/_synthetic/{name}{ext}"
        page.unroute(url)
        page.route(url, serve(body))
    return len(model)


# LOAD_SYNTHETIC's message when it fails, else 'loaded'.
TRY_LOAD = """async ([name, bytes]) => {
  try { await (""" + LOAD_SYNTHETIC + """)([name, bytes]); return 'loaded'; }
  catch (e) { return e.message; }
}"""


RECORD = """() => {
  const g = shiftplay.game, env = shiftplay.env;
  window.__rec = [];
  window.__off = g.on('step', (d) => {
    const t = env.terminals, u = env.truncations;
    window.__rec.push({actions: Array.from(d.actions), bot: d.botActions && Array.from(d.botActions),
      human: d.human, source: d.source, probs: !!d.probs,
      logits: Array.from(g.policy.lastLogits || []),
      done: Array.from(t, (x, i) => (x || u[i]) ? 1 : 0)});
  });
}"""

# `count` steps through the Game's own decision path (game.advance: policy, Shift, step).
ADVANCE = """async (count) => {
  for (let i = 0; i < count; i++) await shiftplay.game.advance();
  return window.__rec.length;
}"""


def play(page, phases, human_key):
    """Stops the live loop, resets the game to SEED and plays `phases` step by step
    through the Game (Shift and `human_key` held in the "human" stretches); the record
    of every step."""
    page.evaluate("() => new Promise((r) => { shiftplay.game.stop(); setTimeout(r, 100); })")
    page.evaluate(f"shiftplay.game.reset({SEED})")
    page.evaluate(RECORD)
    for who, count in phases:
        if who == "human":
            page.keyboard.down("Shift")
            page.keyboard.down(human_key)
        page.evaluate(ADVANCE, count)
        if who == "human":
            page.keyboard.up(human_key)
            page.keyboard.up("Shift")
    page.evaluate("window.__off()")
    rec = page.evaluate("window.__rec")
    assert len(rec) == sum(c for _, c in phases)
    return rec


def native_replay(folder, actions, carry=True, reset=True):
    """Native onnxruntime over the page's trajectory: the env from SEED stepped with the
    page's actions; per step (logits, dones). `carry`/`reset`: the controls."""
    import envs

    model = python_model(ENV, folder)
    env = envs.make(ENV, num_envs=1, seed=SEED)
    h = c = None
    logits, dones = [], []
    try:
        for a in actions:
            out = model(env.observations, h if carry else None, c if carry else None)
            logits.append(out[0])
            h, c = out[2], out[3]
            env.actions[:] = a
            env.step_unchecked()
            done = env.terminals | env.truncations
            dones.append(done.astype(np.int64))
            if reset:
                h, c = h * ~done[:, None], c * ~done[:, None]
    finally:
        env.close()
    return np.asarray(logits), np.asarray(dones)


@pytest.mark.skipif(ENV is None, reason="no env is built for the web")
def test_recurrent_page_trajectory_equals_native_onnxruntime(page, server_url, lstm_model):
    spec = BUILT[ENV]["spec"]
    n = spec.get("num_agents", 1)
    names = spec["action_names"]
    human_name = next(a for a in names if a in KEY_OF_ACTION)
    goto(page, server_url, ENV, f"?seed={SEED}")
    page.wait_for_function(SETTLED)
    folder = lstm_model()
    size = serve_model(page, folder, ENV)
    assert page.evaluate(LOAD_SYNTHETIC, [ENV, size]) == "Trained policy (PPO)"
    assert page.evaluate("shiftplay.model.recurrent")
    # The live loop plays a while, so the state is far from zeros before the reset.
    page.wait_for_function(MODEL_PLAYS)
    wait_steps(page, 10)
    assert page.evaluate("shiftplay.model.stateValues.some((v) => v.some((x) => x !== 0))")
    rec = play(page, PHASES, KEY_OF_ACTION[human_name])
    view = page.inner_text("#policy-view")
    # The model driven directly (model.act with info.starts, as test_onnx's episode test
    # drives a shipped model): the same actions and observations as native, to an end.
    steps = 150
    direct = page.evaluate(EPISODE_JS, [SEED, [], steps])
    native = native_episode(ENV, SEED, {}, steps, folder)
    assert direct["steps"] == native["steps"] and direct["checksum"] == native["checksum"]
    assert bytes(direct["bytes"]) == native["bytes"]
    page.evaluate(f"() => {{ shiftplay.env.create({SEED}); shiftplay.game.reset({SEED}); }}")
    page.evaluate("shiftplay.game.start()")

    # The Game's decisions: the model ran on every step, the human drove in the middle.
    humans = [r["human"] for r in rec]
    assert humans == [w == "human" for w, c in PHASES for _ in range(c)]
    assert all(r["source"] == "model" and r["probs"] and r["bot"] for r in rec)
    for r in rec:
        if r["human"]:
            assert r["actions"][0] == names.index(human_name), "the human's key drives agent 0"
            assert r["actions"][1:] == r["bot"][1:]
        else:
            assert r["actions"] == r["bot"]
    assert "Most likely" in view, "the policy view keeps working"

    actions = np.asarray([r["actions"] for r in rec], dtype=np.int32)
    got = np.asarray([r["logits"] for r in rec], dtype=np.float32).reshape(len(rec), n, -1)
    bot = np.asarray([r["bot"] for r in rec])
    want, dones = native_replay(folder, actions)
    assert (np.asarray([r["done"] for r in rec]) == dones).all(), "episodes end at other steps"
    ended = np.nonzero(dones[:-1].any(axis=1))[0]
    assert len(ended), "no episode ended: the resets were not exercised"
    np.testing.assert_allclose(got, want, rtol=0, atol=TOLERANCE)
    top = np.sort(want, axis=2)
    clear = (top[..., -1] - top[..., -2]) > TIE
    assert clear.mean() > 0.99
    assert (bot == want.argmax(axis=2))[clear].all(), "the page chose other actions"
    assert (actions[~np.asarray(humans)] == want.argmax(axis=2)[~np.asarray(humans)])[
        clear[~np.asarray(humans)]].all()
    # Controls: the same replay without the state, or without the resets, is far off.
    for control in ({"carry": False}, {"reset": False}):
        other, _ = native_replay(folder, actions, **control)
        assert np.abs(other - got).max() > 100 * TOLERANCE, f"the check cannot fail ({control})"
    assert page.console.errors == []


@pytest.mark.skipif(ENV is None, reason="no env is built for the web")
def test_a_bad_recurrent_contract_is_refused_with_a_readable_message(page, server_url,
                                                                     lstm_model):
    goto(page, server_url, ENV)
    page.wait_for_function(SETTLED)
    folder = lstm_model()
    with open(os.path.join(folder, ENV + ".json")) as f:
        meta = json.load(f)
    bad = {
        "no_batch": ("shape", [LSTM]),
        "dtype": ("dtype", "float16"),
        "reset": ("reset", "never"),
        "name": ("input", "obs"),
    }
    out = {}
    for case, (key, value) in bad.items():
        broken = json.loads(json.dumps(meta))
        broken["recurrent_state"][0][key] = value
        size = serve_model(page, folder, ENV, broken)
        out[case] = page.evaluate(TRY_LOAD, [ENV, size])
    assert "recurrent_state[0].shape [32] is not one \"batch\"" in out["no_batch"], out
    assert "dtype \"float16\" is not one this page runs" in out["dtype"], out
    assert "reset \"never\"" in out["reset"], out
    assert "input \"obs\" is not a new tensor name" in out["name"], out
    assert all("does not fit" in m for m in out.values()), out
    # The sidecar that lists no state for a recurrent model: the session's inputs say no.
    meta_ff = dict(meta, recurrent_state=[])
    size = serve_model(page, folder, ENV, meta_ff)
    msg = page.evaluate(TRY_LOAD, [ENV, size])
    assert 'must have the inputs ["obs"]' in msg, msg
    assert not page.evaluate("shiftplay.game.policy.recurrent"), "no broken model plays"
    assert page.console.errors == []


def layered_model(num_obs, num_actions, layers=2):
    """A hand-made recurrent model with one state tensor "mem" [layers, batch, A]: every
    step adds (layer + 1) x the sum of the observation to each layer's row of an agent;
    logits are the sum over layers (so 3 x the observations' sum since the episode began,
    for 2 layers); value the sum of the logits. Its rows must be zeroed in every layer."""
    import onnx
    from onnx import TensorProto, helper

    weights = np.arange(1, layers + 1, dtype=np.float32).reshape(layers, 1, 1)
    nodes = [
        helper.make_node("Cast", ["obs"], ["x"], to=TensorProto.FLOAT),
        helper.make_node("ReduceSum", ["x", "axis1"], ["s"], keepdims=1),
        helper.make_node("Mul", ["s", "weights"], ["ws"]),
        helper.make_node("Add", ["mem", "ws"], ["mem_out"]),
        helper.make_node("ReduceSum", ["mem_out", "axis0"], ["logits"], keepdims=0),
        helper.make_node("ReduceSum", ["logits", "axis1"], ["value"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "layered_memory",
        [helper.make_tensor_value_info("obs", TensorProto.UINT8, ["batch", num_obs]),
         helper.make_tensor_value_info("mem", TensorProto.FLOAT, [layers, "batch", num_actions])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", num_actions]),
         helper.make_tensor_value_info("value", TensorProto.FLOAT, ["batch"]),
         helper.make_tensor_value_info("mem_out", TensorProto.FLOAT,
                                       [layers, "batch", num_actions])],
        [helper.make_tensor("axis0", TensorProto.INT64, [1], [0]),
         helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
         onnx.numpy_helper.from_array(weights, "weights")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              ir_version=8)  # what the exporter writes for opset 17
    onnx.checker.check_model(model)
    return model.SerializeToString()


@pytest.mark.skipif(ENV is None or BUILT.get(ENV, {}).get("spec", {}).get("obs_dtype") != "uint8",
                    reason="needs a built env with uint8 observations")
def test_any_declared_state_layout_runs_with_per_agent_resets(page, server_url, lstm_model,
                                                              tmp_path):
    """The page follows the sidecar's recurrent_state, not the LSTM's names or shape: a
    state [layers, "batch", A] is carried and zeroed per agent in every layer."""
    spec = BUILT[ENV]["spec"]
    n, num_actions, layers = spec.get("num_agents", 1), spec["num_actions"], 2
    with open(os.path.join(lstm_model(), ENV + ".json")) as f:
        meta = json.load(f)
    meta["recurrent_state"] = [{"input": "mem", "output": "mem_out",
                                "shape": [layers, "batch", num_actions], "dtype": "float32",
                                "initial": "zeros", "reset": "episode_start"}]
    with open(tmp_path / (ENV + ".onnx"), "wb") as f:
        f.write(layered_model(spec["obs_size"], num_actions, layers))
    with open(tmp_path / (ENV + ".json"), "w") as f:
        json.dump(meta, f)
    goto(page, server_url, ENV, f"?seed={SEED}")
    page.wait_for_function(SETTLED)
    size = serve_model(page, str(tmp_path), ENV)
    assert page.evaluate(LOAD_SYNTHETIC, [ENV, size]) == "Trained policy (PPO)"
    rec = play(page, (("bot", 120),), None)
    page.evaluate("shiftplay.game.start()")
    actions = np.asarray([r["actions"] for r in rec], dtype=np.int32)
    got = np.asarray([r["logits"] for r in rec], dtype=np.float64).reshape(len(rec), n, -1)

    import envs

    env = envs.make(ENV, num_envs=1, seed=SEED)
    total = np.zeros(n)
    want, resets = [], 0
    for a in actions:
        total += env.observations.astype(np.float64).sum(axis=1)
        want.append(np.repeat(total[:, None] * (layers * (layers + 1) // 2), num_actions, 1))
        env.actions[:] = a
        env.step_unchecked()
        done = env.terminals | env.truncations
        resets += int(done.sum())
        total[done] = 0
    env.close()
    assert resets > 0, "no episode ended: the resets were not exercised"
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-6, atol=0)
    assert page.console.errors == []
