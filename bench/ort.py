"""The trained policy's cost in the browser, one JSON line per env with a model (a
benchmark, not a test):

    python -m bench.ort [env ...] [--runs 400] [--frames 400]

In headless Chromium (WebGL through SwiftShader, as the browser tests), on the real play
page served by server.py:

- ort_b1 / ort_bN / ort_b64: one policy step (observation copy into the reused input
  tensor, the onnxruntime-web run, softmax + argmax; on the page the run is in the model's
  worker, `runs_in`, so this includes the round trip to it) at batch 1, at batch = the env's
  agents (snake: 64), and at batch 64 (rows repeated) for scale; median and p99 in ms;
- frame: policy + env step + render (the main-thread work of one frame), and frame_sync:
  the same plus a 1-pixel readPixels that waits for the GPU (software GL here);
- live_fps: the page's own frame loop over 2 s with the model playing;
- page timings (ms since navigation): first frame, policy ready, first model step.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from web.tools.local import CHROMIUM, CHROMIUM_ARGS, ROOT, env_names, manifest

MODELS = os.path.join(ROOT, "web", "models")

BENCH_JS = """async ([runs, frames]) => {
  const g = shiftplay.game, env = shiftplay.env, model = shiftplay.model;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const stats = (t) => {
    const s = Float64Array.from(t).sort();
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return {median: q(0.5), p99: q(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length};
  };
  g.stop();
  await sleep(50);
  async function policyStep(n) {
    let obs = env.obs.subarray(0, n * env.obsSize);
    if (n > env.numAgents) {  // more rows than agents: the live rows, repeated
      obs = new env.obs.constructor(n * env.obsSize);
      for (let i = 0; i < n; i++) obs.set(env.obs.subarray(0, env.obsSize), i * env.obsSize);
    }
    const info = {numAgents: n, policyMode: 'argmax'};
    for (let i = 0; i < 30; i++) await model.act(obs, info);
    const t = [];
    for (let i = 0; i < runs; i++) {
      const a = performance.now();
      await model.act(obs, info);
      t.push(performance.now() - a);
    }
    return stats(t);
  }
  const b1 = await policyStep(1);
  const bN = await policyStep(env.numAgents);
  const b64 = await policyStep(64);
  const canvas = document.getElementById('game-canvas');
  const gl = canvas.getContext('webgl');  // raylib's own context
  const px = new Uint8Array(4);
  const frame = [], frameSync = [], policy = [], step = [], render = [];
  const info = env.info();
  for (let i = 0; i < frames + 20; i++) {
    const t0 = performance.now();
    const acts = await model.act(env.obs, info);
    const t1 = performance.now();
    env.step(acts);
    const t2 = performance.now();
    env.render(g.highlight);
    const t3 = performance.now();
    if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    const t4 = performance.now();
    if (i >= 20) {
      policy.push(t1 - t0); step.push(t2 - t1); render.push(t3 - t2);
      frame.push(t3 - t0); frameSync.push(t4 - t0);
    }
    if (i % 50 === 0) await sleep(0);  // let the compositor breathe
  }
  g.start();
  const f0 = g.frames, s0 = g.totalSteps, w0 = performance.now();
  await sleep(2000);
  const secs = (performance.now() - w0) / 1000;
  return {
    num_agents: env.numAgents, b1, bN, b64,
    policy: stats(policy), step: stats(step), render: stats(render),
    frame: stats(frame), frame_sync: stats(frameSync),
    live_fps: (g.frames - f0) / secs, live_steps_per_s: (g.totalSteps - s0) / secs,
    live_source: g.lastDecision && g.lastDecision.source,
    timings: shiftplay.timings, isolated: crossOriginIsolated, runs_in: model.runsIn,
    ua: navigator.userAgent,
  };
}"""


def shipped_envs():
    """The envs built for the web that have a trained model (web/models/<env>.onnx)."""
    built = manifest().get("envs", {})
    return [n for n in env_names() if n in built and os.path.isfile(os.path.join(MODELS, n + ".onnx"))]


def start_server():
    proc = subprocess.Popen([sys.executable, "server.py", "--host", "127.0.0.1", "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    for line in proc.stdout:
        if "serving on http://" in line:
            return proc, line.split("serving on ", 1)[1].strip().rstrip("/")
        if time.time() > deadline:
            break
    proc.kill()
    raise SystemExit("server.py did not start")


def r3(x):
    return round(x, 3)


def bench(browser, url, name, runs, frames):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(120000)
    t0 = time.time()
    page.goto(f"{url}/play/{name}?seed=1")
    page.wait_for_function("window.shiftplay && shiftplay.policyStatus && "
                           "['ready', 'failed'].includes(shiftplay.policyStatus.state)")
    status = page.evaluate("shiftplay.policyStatus.state")
    if status != "ready":
        msg = page.evaluate("shiftplay.policyStatus.message")
        context.close()
        return {"env": name, "error": f"the model did not load: {msg}"}
    page.wait_for_function("shiftplay.timings.firstModelStep !== undefined")
    load_s = time.time() - t0
    r = page.evaluate(BENCH_JS, [runs, frames])
    context.close()
    t = r["timings"]
    out = {
        "env": name, "num_agents": r["num_agents"], "runs": runs, "frames": frames,
        "runs_in": r["runs_in"],
        "ort_b1_median_ms": r3(r["b1"]["median"]), "ort_b1_p99_ms": r3(r["b1"]["p99"]),
        "ort_bN": r["num_agents"],
        "ort_bN_median_ms": r3(r["bN"]["median"]), "ort_bN_p99_ms": r3(r["bN"]["p99"]),
        "ort_b64_median_ms": r3(r["b64"]["median"]), "ort_b64_p99_ms": r3(r["b64"]["p99"]),
        "frame_median_ms": r3(r["frame"]["median"]), "frame_p99_ms": r3(r["frame"]["p99"]),
        "frame_sync_median_ms": r3(r["frame_sync"]["median"]),
        "frame_sync_p99_ms": r3(r["frame_sync"]["p99"]),
        "policy_median_ms": r3(r["policy"]["median"]), "step_median_ms": r3(r["step"]["median"]),
        "render_median_ms": r3(r["render"]["median"]),
        "live_fps": round(r["live_fps"], 1), "live_steps_per_s": round(r["live_steps_per_s"], 1),
        "live_source": r["live_source"],
        "first_frame_ms": t.get("firstFrame"), "policy_ready_ms": t.get("policyReady"),
        "first_model_step_ms": t.get("firstModelStep"),
        "model_after_first_frame_ms": (round(t["firstModelStep"] - t["firstFrame"], 1)
                                       if "firstModelStep" in t and "firstFrame" in t else None),
        "page_load_s": round(load_s, 2), "cross_origin_isolated": r["isolated"],
        "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("envs", nargs="*", help="default: every built env with a model")
    parser.add_argument("--runs", type=int, default=400, help="policy steps per batch size")
    parser.add_argument("--frames", type=int, default=400, help="frames timed")
    args = parser.parse_args(argv)
    names = args.envs or shipped_envs()
    if not names:
        print(json.dumps({"error": "no env with a model (web/models/<env>.onnx) is built"}))
        return 1
    from playwright.sync_api import sync_playwright

    proc, url = start_server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name in names:
                print(json.dumps(bench(browser, url, name, args.runs, args.frames)), flush=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    sys.exit(main())
