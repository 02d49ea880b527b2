// Headless driver of a built env (web/build/<env>.js) for the parity test and the bench.
// No canvas: sp_create never opens a window.
//
//   node --no-experimental-fetch node_harness.js parity <env.js> <seed> <steps> <actions.bin> <baseline.bin> <out.bin>
//     actions.bin: per step, every agent's action in the env's layout: int32[num_agents],
//     or float32[num_agents * action_dim] for continuous actions (sp_action_kind() 1);
//     baseline.bin: uint8[steps * num_agents], 1 where the agent plays the env's C
//     baseline instead (computed from the wasm env's own state).
//     out.bin: initial obs, then per step obs | rewards | terminals | truncations (raw bytes).
//   node --no-experimental-fetch node_harness.js bench <env.js> <steps> <seed>
//     prints {"steps", "seconds", "checksum", "num_agents"} as JSON.
'use strict';
const fs = require('fs');
const path = require('path');
const { loadModule } = require(path.join(__dirname, 'load_module'));

function views(m) {
  const n = m._sp_num_agents();
  const obsBytes = n * m._sp_obs_size() * m._sp_obs_item_size();
  const buf = m.HEAPU8.buffer;
  const dim = m._sp_action_dim();
  return {
    n,
    dim,
    obs: new Uint8Array(buf, m._sp_obs_ptr(), obsBytes),
    actions: new Uint8Array(buf, m._sp_actions_ptr(), 4 * n * dim),  // raw bytes, either kind
    rewards: new Uint8Array(buf, m._sp_rewards_ptr(), 4 * n),
    terminals: new Uint8Array(buf, m._sp_terminals_ptr(), n),
    truncations: new Uint8Array(buf, m._sp_truncations_ptr(), n),
  };
}

function create(m, seed) {
  const s = BigInt(seed);
  const rc = m._sp_create(Number(s & 0xffffffffn), Number((s >> 32n) & 0xffffffffn), 0);
  if (rc !== 0) throw new Error('sp_create failed: ' + rc);
}

async function parity(js, seed, steps, actionsFile, baselineFile, outFile) {
  const m = await loadModule(js);
  create(m, seed);
  const v = views(m);
  const n = v.n;
  const per = 4 * v.dim;  // bytes of one agent's action
  const acts = new Uint8Array(fs.readFileSync(actionsFile));
  const useBaseline = new Uint8Array(fs.readFileSync(baselineFile));
  if (acts.length !== steps * n * per) throw new Error(`actions: want ${steps * n * per} bytes, got ${acts.length}`);
  if (useBaseline.length !== steps * n) throw new Error(`baseline flags: want ${steps * n}, got ${useBaseline.length}`);
  const baseline = m._malloc(n * per);
  const stepBytes = v.obs.length + 4 * n + 2 * n;
  const chunkSteps = Math.max(1, Math.floor((8 << 20) / stepBytes));
  const chunk = new Uint8Array(chunkSteps * stepBytes);
  const fd = fs.openSync(outFile, 'w');
  fs.writeSync(fd, v.obs);
  let used = 0;
  for (let t = 0; t < steps; t++) {
    m._sp_baseline_fill(baseline);
    const base = new Uint8Array(m.HEAPU8.buffer, baseline, n * per);
    for (let a = 0; a < n; a++) {
      const from = useBaseline[t * n + a] ? base.subarray(a * per, (a + 1) * per)
        : acts.subarray((t * n + a) * per, (t * n + a + 1) * per);
      v.actions.set(from, a * per);
    }
    m._sp_step();
    chunk.set(v.obs, used); used += v.obs.length;
    chunk.set(v.rewards, used); used += v.rewards.length;
    chunk.set(v.terminals, used); used += n;
    chunk.set(v.truncations, used); used += n;
    if (used + stepBytes > chunk.length) {
      fs.writeSync(fd, chunk, 0, used);
      used = 0;
    }
  }
  if (used) fs.writeSync(fd, chunk, 0, used);
  fs.closeSync(fd);
  m._free(baseline);
  process.stdout.write(JSON.stringify({ num_agents: n, steps }) + '\n');
}

// Steady state: warm up for a while (V8 tiers wasm up from Liftoff to TurboFan in the
// background, and a call already running keeps its old code), then time the steps in
// chunks of calls, as the page does (one call per frame, only longer).
async function bench(js, steps, seed) {
  const m = await loadModule(js);
  create(m, 1);
  const chunk = Math.max(1, Math.min(steps, 10000));
  const warmUntil = process.hrtime.bigint() + 300000000n;
  while (process.hrtime.bigint() < warmUntil) m._sp_bench(chunk, seed);
  create(m, 1);
  let checksum = 0;
  let done = 0;
  const t0 = process.hrtime.bigint();
  while (done < steps) {
    const k = Math.min(chunk, steps - done);
    checksum += m._sp_bench(k, seed + done);
    done += k;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ steps, seconds, checksum, num_agents: m._sp_num_agents() }) + '\n');
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'parity') {
    await parity(args[0], args[1], Number(args[2]), args[3], args[4], args[5]);
  } else if (cmd === 'bench') {
    await bench(args[0], Number(args[1]), Number(args[2] || 1));
  } else {
    throw new Error('usage: node_harness.js parity|bench ...');
  }
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
