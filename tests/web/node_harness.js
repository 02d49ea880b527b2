// Headless driver of a built env (web/build/<env>.js) for the parity test and the bench.
// No canvas: sp_create never opens a window.
//
//   node --no-experimental-fetch node_harness.js parity <env.js> <seed> <steps> <actions.bin> <out.bin>
//     actions.bin: int32[steps * num_agents]; -1 means "the env's C baseline action".
//     out.bin: initial obs, then per step obs | rewards | terminals | truncations (raw bytes).
//   node --no-experimental-fetch node_harness.js bench <env.js> <steps> <seed>
//     prints {"steps", "seconds", "checksum", "num_agents"} as JSON.
'use strict';
const fs = require('fs');
const path = require('path');
const { loadModule } = require(path.join(__dirname, '..', '..', 'web', 'tools', 'load_module'));

function views(m) {
  const n = m._sp_num_agents();
  const obsBytes = n * m._sp_obs_size() * m._sp_obs_item_size();
  const buf = m.HEAPU8.buffer;
  return {
    n,
    obs: new Uint8Array(buf, m._sp_obs_ptr(), obsBytes),
    actions: new Int32Array(buf, m._sp_actions_ptr(), n),
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

async function parity(js, seed, steps, actionsFile, outFile) {
  const m = await loadModule(js);
  create(m, seed);
  const v = views(m);
  const n = v.n;
  const raw = fs.readFileSync(actionsFile);
  const acts = new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength >> 2);
  if (acts.length !== steps * n) throw new Error(`actions: want ${steps * n}, got ${acts.length}`);
  const baseline = m._malloc(4 * n);
  const stepBytes = v.obs.length + 4 * n + 2 * n;
  const chunkSteps = Math.max(1, Math.floor((8 << 20) / stepBytes));
  const chunk = new Uint8Array(chunkSteps * stepBytes);
  const fd = fs.openSync(outFile, 'w');
  fs.writeSync(fd, v.obs);
  let used = 0;
  for (let t = 0; t < steps; t++) {
    m._sp_baseline_fill(baseline);
    const base = new Int32Array(m.HEAPU8.buffer, baseline, n);
    for (let a = 0; a < n; a++) {
      const x = acts[t * n + a];
      v.actions[a] = x < 0 ? base[a] : x;
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
    await parity(args[0], args[1], Number(args[2]), args[3], args[4]);
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
