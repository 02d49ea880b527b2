// The trained policy in the browser: web/models/<env>.onnx run by onnxruntime-web (our own
// copy, served under /ort/ from web/node_modules; no CDN).
//
//   const policy = await loadOnnxPolicy(env, cfg, onProgress);
//   game.setPolicy(policy);
//
// cfg is the play page's config.policy (server.py policy_config): versioned URLs of the
// model, its sidecar JSON, the ORT module and wasm, and raw sizes for the progress bar.
// The model contract (export/model.py): input `obs` [batch, obs_size] in the env's raw
// dtype, outputs `logits` [batch, num_actions] and `value` [batch]. The sidecar is checked
// against the live env (name, obs size and dtype, action count) before anything runs.
//
// Every step runs the model once over all agents (batch = num_agents): the observation
// buffer, exactly as C wrote it, is copied into one reused input tensor. Actions are the
// argmax of the logits (game.policyMode 'argmax') or a sample ('sample'); the policy keeps
// lastProbs (softmax, num_agents x num_actions) and lastValues for the Game's decision.
//
// Continuous actions (spec action_kind 'continuous', sidecar actions.kind): the model's
// outputs are `mean` and `log_std` [batch, action_dim] (a Gaussian) and `value`. Argmax
// mode plays the mean, sampling mode mean + exp(log_std) * N(0, 1); either is clipped into
// the action bounds. The policy keeps lastMeans and lastStds (num_agents x action_dim).
//
// On the play page, prefetchModel(cfg, url) starts ORT's and the model's downloads and the
// session at once in a worker (onnx_worker.js), in parallel with the env (the baseline bot
// plays meanwhile); then startModel(page, early) checks the model against the env, hands
// it to the game and reports progress through it (game.setPolicyStatus -> 'status'
// events: {state: 'loading' | 'ready' | 'failed' | 'none' | 'off', loaded, total, message}). On any
// failure it shows a banner and leaves the baseline playing. ?policy=baseline in the
// page's URL skips the model ('off').
//
// A recurrent model (an LSTM) declares its state in the sidecar's "recurrent_state"
// (export/model.py recurrent_state): a list of {input, output, shape, dtype, initial,
// reset}, one per state tensor, `shape` naming one dimension "batch" (e.g. ["batch", 64],
// or [layers, "batch", hidden]). The page reads only that list: it feeds each `input`
// with the state the model returned last as `output`, one batch row per agent, and zeroes
// an agent's rows where its episode starts (Game passes info.starts: 1 for every agent
// whose episode starts at this observation, after a terminal or truncation, a game
// reset or a new policy). A model without the list (or with []) is feed-forward.
import { mark, problem, timings } from './fallbacks.js';
import { pageUrl } from './url_state.js';

const LABEL = 'Trained policy (PPO)';
const INPUT = 'obs';
const OUTPUTS = ['logits', 'value'];
const CONTINUOUS_OUTPUTS = ['mean', 'log_std', 'value'];

// The model's outputs (before any recurrent state) for the env's action kind.
function outputsFor(env) {
  return env.continuous ? CONTINUOUS_OUTPUTS : OUTPUTS;
}
// After this many failed steps in a row the page gives up on the model.
const MAX_FAILURES = 30;

export class PolicyLoadError extends Error {
  constructor(message, detail) {
    super(message);
    this.name = 'PolicyLoadError';
    this.detail = detail || '';
  }
}

function pathOf(url) {
  try { return new URL(url, location.href).pathname; } catch (e) { return String(url); }
}

function fileOf(url) {
  return pathOf(url).split('/').pop();
}

function describe(e) {
  return (e && e.message) ? e.message : String(e);
}

// GET `url` as bytes, calling onBytes(bytesSoFar) as they arrive (decompressed bytes:
// the server may send a .br/.gz sibling).
export async function fetchBytes(url, what, onBytes) {
  return readBytes(await fetchOk(url, what), onBytes);
}

// GET `url`: the Response, or a PolicyLoadError naming `what`.
async function fetchOk(url, what) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new PolicyLoadError(`${what} (${fileOf(url)}) could not be downloaded: no connection to the server.`,
      `GET ${pathOf(url)}: ${describe(e)}`);
  }
  if (!response.ok) {
    throw new PolicyLoadError(
      `${what} could not be downloaded: HTTP ${response.status} for ${pathOf(url)}.`, pathOf(url));
  }
  return response;
}

async function readBytes(response, onBytes) {
  if (!response.body || typeof response.body.getReader !== 'function') {
    const whole = new Uint8Array(await response.arrayBuffer());
    if (onBytes) onBytes(whole.length);
    return whole;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
    if (onBytes) onBytes(n);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(n);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

async function fetchJson(url, what) {
  const bytes = await fetchBytes(url, what, null);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new PolicyLoadError(`${what} (${fileOf(url)}) is damaged.`, `${pathOf(url)}: not JSON: ${describe(e)}`);
  }
}

// onnxruntime-web: the single-file ESM bundle (its wasm glue inside), and the .wasm
// fetched by us (progress) and handed over as wasmBinary.
// Once per page: later loads reuse the runtime (it initializes its wasm only once).
const runtimes = new Map();
function loadOrt(cfg, onBytes) {
  const key = cfg.ort_module + ' ' + cfg.ort_wasm;
  if (!runtimes.has(key)) {
    const p = fetchOrt(cfg, onBytes);
    runtimes.set(key, p);
    p.catch(() => runtimes.delete(key));
  } else if (onBytes) {
    onBytes(cfg.ort_wasm_bytes || 0);
  }
  return runtimes.get(key);
}

async function fetchOrt(cfg, onBytes) {
  if (typeof WebAssembly !== 'object') {
    throw new PolicyLoadError('This browser cannot run WebAssembly, so the trained policy cannot run.');
  }
  // The wasm downloads (and compiles) while the runtime's script loads.
  let compiled = null;
  const wasmP = fetchOk(cfg.ort_wasm, 'The onnxruntime-web WebAssembly').then((response) => {
    compiled = compileWhileDownloading(response.clone());
    return readBytes(response, onBytes);
  });
  wasmP.catch(() => {});  // observed below, once the runtime's script is in
  let ort;
  try {
    ort = await import(pageUrl(cfg.ort_module));  // relative to the page, not this module
  } catch (e) {
    throw new PolicyLoadError(
      `onnxruntime-web could not be loaded from ${pathOf(cfg.ort_module)}.`,
      `${describe(e)}. Is web/node_modules installed? Run \`make web\` (npm ci in web/).`);
  }
  if (!ort || typeof ort.InferenceSession !== 'function') ort = ort && ort.default;
  if (!ort || !ort.InferenceSession || !ort.env || !ort.Tensor) {
    throw new PolicyLoadError(`${pathOf(cfg.ort_module)} is not onnxruntime-web.`);
  }
  const wasm = await wasmP;
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new PolicyLoadError(`${pathOf(cfg.ort_wasm)} is not a WebAssembly module.`);
  }
  const env = ort.env;
  env.logLevel = 'error';
  env.wasm.wasmPaths = { wasm: pageUrl(cfg.ort_wasm) };
  env.wasm.wasmBinary = wasm;
  precompiled = { module: compiled, bytes: wasm.byteLength };
  // Threads need cross-origin isolation and do not pay off at these batch sizes.
  env.wasm.numThreads = 1;
  env.wasm.proxy = false;
  mark('ortLoaded');
  return ort;
}

// onnxruntime-web's wasm compiled while it downloads (a copy of the response goes to
// WebAssembly.compileStreaming). The runtime instantiates the bytes it is given
// (env.wasm.wasmBinary: it has no way to take a compiled module) when its first session
// starts, and would decode and validate all 14 MB again then, 0.1-0.2 s of a busy core
// just before the model can play. null where streaming compiles fail (a host that does
// not send .wasm as application/wasm): the runtime compiles its bytes as before.
function compileWhileDownloading(response) {
  if (typeof WebAssembly.compileStreaming !== 'function') return null;
  return WebAssembly.compileStreaming(response).catch(() => null);
}

// {module: Promise<WebAssembly.Module|null>|null, bytes}: the runtime's wasm, compiled,
// until its first session is up.
let precompiled = null;

// Creates the runtime's first session with WebAssembly.instantiate handing over the
// module compiled while downloading for the runtime's bytes (recognised by their length;
// anything else passes through), and restores it after. Later sessions (the runtime is
// initialized once) just start.
async function withPrecompiled(create) {
  const taken = precompiled;
  precompiled = null;
  const module = taken && taken.module ? await taken.module : null;
  if (!module) return create();
  const bytes = taken.bytes;
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = (source, imports) => {
    if (!ArrayBuffer.isView(source) || source.byteLength !== bytes) return instantiate(source, imports);
    mark('ortPrecompiled');
    return instantiate(module, imports).then((instance) => ({ instance, module }));
  };
  try {
    return await create();
  } finally {
    WebAssembly.instantiate = instantiate;
  }
}

// The runtime is up after its first session: its 14 MB binary is no longer needed.
function releaseWasmBinary(ort) {
  if (ort.env.wasm.wasmBinary) ort.env.wasm.wasmBinary = undefined;
}

// The sidecar (<env>.json) against the live env: readable reasons, all at once.
export function checkSidecar(meta, env) {
  const spec = env.spec || {};
  const name = spec.name;
  if (!meta || typeof meta !== 'object') {
    throw new PolicyLoadError('The model description (JSON) is empty or not an object.');
  }
  const problems = [];
  if (meta.env !== name) problems.push(`it is a policy for “${meta.env}”, not “${name}”`);
  const o = meta.observation || {};
  if (o.size !== env.obsSize) {
    problems.push(`it reads ${o.size} observation values, the env writes ${env.obsSize}`);
  }
  if (o.dtype !== env.obsDtype) {
    problems.push(`it reads ${o.dtype} observations, the env writes ${env.obsDtype}`);
  }
  const a = meta.actions || {};
  const kind = a.kind || 'discrete';
  const envKind = env.continuous ? 'continuous' : 'discrete';
  if (kind !== envKind) {
    problems.push(`it plays ${kind} actions, the env takes ${envKind} ones`);
  } else if (env.continuous && a.dim !== env.actionDim) {
    problems.push(`it outputs ${a.dim} action values, the env takes ${env.actionDim}`);
  } else if (a.count !== env.numActions) {
    problems.push(`it has ${a.count} actions, the env has ${env.numActions}`);
  }
  try {
    recurrentState(meta);
  } catch (e) {
    problems.push(e.message);
  }
  if (problems.length) {
    throw new PolicyLoadError(`The trained policy does not fit ${spec.title || name}: ` +
      problems.join('; ') + '.', 'Retrain or re-export it: python -m export --env ' + name);
  }
}

// The recurrent state the sidecar declares (see the top of this file), checked:
// [{input, output, shape, outer, inner}], where a batch of n agents holds
// outer x n x inner floats (outer: the dims before "batch", inner: those after).
// [] for a feed-forward model; an Error with a readable message for anything else.
const STATE_DTYPES = ['float32'];
const STATE_INITIAL = ['zeros'];
const STATE_RESET = ['episode_start'];
export function recurrentState(meta) {
  const list = meta.recurrent_state;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error('its recurrent_state is not a list');
  const names = new Set([INPUT, ...OUTPUTS, ...CONTINUOUS_OUTPUTS]);
  return list.map((s, i) => {
    const where = `recurrent_state[${i}]`;
    if (!s || typeof s !== 'object') throw new Error(`its ${where} is not an object`);
    for (const key of ['input', 'output']) {
      if (typeof s[key] !== 'string' || !s[key] || names.has(s[key])) {
        throw new Error(`its ${where}.${key} ${JSON.stringify(s[key])} is not a new tensor name`);
      }
      names.add(s[key]);
    }
    const shape = s.shape;
    const at = Array.isArray(shape) ? shape.indexOf('batch') : -1;
    const dims = Array.isArray(shape) ? shape.filter((d, k) => k !== at) : [];
    if (at < 0 || shape.lastIndexOf('batch') !== at ||
        !dims.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`its ${where}.shape ${JSON.stringify(shape)} is not one "batch" dimension ` +
        'among positive sizes');
    }
    const known = [['dtype', STATE_DTYPES], ['initial', STATE_INITIAL], ['reset', STATE_RESET]];
    for (const [key, values] of known) {
      if (!values.includes(s[key])) {
        throw new Error(`its ${where}.${key} ${JSON.stringify(s[key])} is not one this page runs ` +
          `(${values.join(', ')})`);
      }
    }
    const product = (a) => a.reduce((x, y) => x * y, 1);
    return { input: s.input, output: s.output, shape: shape.slice(),
      outer: product(shape.slice(0, at)), inner: product(shape.slice(at + 1)) };
  });
}

// The session's own signature (names, and dtypes where ORT reports them).
function checkSession(session, env, state) {
  const inputs = session.inputNames || [];
  const outputs = session.outputNames || [];
  const want = [INPUT, ...state.map((s) => s.input)];
  if (inputs.length !== want.length || !want.every((name) => inputs.includes(name))) {
    throw new PolicyLoadError(`The model must have the inputs ${JSON.stringify(want)} (its description ` +
      `says so), it has ${JSON.stringify(inputs)}.`);
  }
  for (const name of [...outputsFor(env), ...state.map((s) => s.output)]) {
    if (!outputs.includes(name)) {
      throw new PolicyLoadError(`The model has no output “${name}” (outputs: ${JSON.stringify(outputs)}).`);
    }
  }
  const meta = session.inputMetadata && session.inputMetadata[inputs.indexOf(INPUT)];
  if (meta && meta.isTensor && meta.type && meta.type !== env.obsDtype) {
    throw new PolicyLoadError(`The model reads ${meta.type} observations, the env writes ${env.obsDtype}.`);
  }
}

// Small fast PRNG for sampling (mulberry32): reproducible given a seed.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class OnnxPolicy {
  constructor(ort, session, meta, env) {
    this.name = 'onnx';
    this.label = LABEL;
    this.source = 'model';
    this.ort = ort;
    this.session = session;
    this.runsIn = session.where || 'page';  // 'worker': the session is in onnx_worker.js
    this.meta = meta;
    this.env = env;
    this.obsSize = env.obsSize;
    this.obsDtype = env.obsDtype;
    this.numActions = env.numActions;
    this.actionNames = (meta.actions && meta.actions.names) || env.actionNames;
    // Recurrent state: the contract (recurrentState) and, per state tensor, the values
    // carried from step to step for every agent (Float32Array, outer x batch x inner).
    this.state = recurrentState(meta);
    this.recurrent = this.state.length > 0;
    this.stateValues = [];
    this.batch = 0;
    this.lastLogits = null;
    this.lastProbs = null;
    this.lastValues = null;
    this.continuous = !!env.continuous;
    this.actionDim = env.actionDim || 1;
    this.lastMeans = null;
    this.lastStds = null;
    this.failures = 0;
    this.runs = 0;
    this.onGiveUp = null;  // called once after MAX_FAILURES failed steps in a row
    this.random = mulberry32(0x5eed);
    this._chain = Promise.resolve();
    this._input = null;
    this._feeds = null;
  }

  seed(s) { this.random = mulberry32(s); }

  _tensor(data, batch) {
    return new this.ort.Tensor(this.obsDtype, data, [batch, this.obsSize]);
  }

  // Zero state tensors for a batch of n: {input name: ort.Tensor}.
  _stateTensors(n) {
    const feeds = {};
    for (const s of this.state) {
      const dims = s.shape.map((d) => (d === 'batch' ? n : d));
      feeds[s.input] = new this.ort.Tensor('float32', new Float32Array(s.outer * n * s.inner), dims);
    }
    return feeds;
  }

  // One input tensor per batch size, reused every step (its data is refilled in place),
  // and the recurrent state of n agents, all zeros (every episode starts from zeros).
  _setBatch(n) {
    const T = this.obsDtype === 'uint8' ? Uint8Array : Float32Array;
    this._input = new T(n * this.obsSize);
    const state = this._stateTensors(n);
    this._feeds = Object.assign({ [INPUT]: this._tensor(this._input, n) }, state);
    this.stateValues = this.state.map((s) => state[s.input].data);
    this.batch = n;
  }

  // Zeroes the state rows of every agent i with starts[i] (all agents: starts === true).
  resetState(starts) {
    const n = this.batch;
    for (let k = 0; k < this.state.length; k++) {
      const { outer, inner } = this.state[k];
      const data = this.stateValues[k];
      for (let i = 0; i < n; i++) {
        if (starts !== true && !starts[i]) continue;
        for (let o = 0; o < outer; o++) data.fill(0, (o * n + i) * inner, (o * n + i + 1) * inner);
      }
    }
  }

  // The state outputs of a step become the next step's state inputs.
  _keepState(out, n) {
    const values = this.state.map((s) => {
      const t = out[s.output];
      const want = s.outer * n * s.inner;
      if (!t || !t.data || t.data.length !== want) {
        throw new Error(`model output ${s.output} has ${t && t.data ? t.data.length : 'no'} values, ` +
          `expected ${want}`);
      }
      return t.data;
    });
    values.forEach((v, k) => this.stateValues[k].set(v));
  }

  // ORT sessions run one call at a time: every run goes through this queue. `after`
  // runs on the outputs before the next call starts (the state it feeds is current).
  _run(feeds, after) {
    const p = this._chain.then(() => this.session.run(feeds)).then((out) => {
      if (after) after(out);
      return out;
    });
    this._chain = p.then(() => undefined, () => undefined);
    return p;
  }

  // Raw outputs for `obs` (typed array, batch x obs_size), for tests and benchmarks.
  // A recurrent model starts from zeros, or from `state` ({input name: Float32Array}),
  // and returns its new state ({output name: Float32Array}); the state the game carries
  // is not touched.
  async infer(obs, batch, state) {
    const T = this.obsDtype === 'uint8' ? Uint8Array : Float32Array;
    const data = obs instanceof T ? obs.slice() : T.from(obs);
    const n = batch || data.length / this.obsSize;
    const feeds = Object.assign({ [INPUT]: this._tensor(data, n) }, this._stateTensors(n));
    for (const s of this.state) {
      if (state && state[s.input]) feeds[s.input].data.set(state[s.input]);
    }
    const out = await this._run(feeds);
    const next = {};
    for (const s of this.state) next[s.output] = out[s.output] && out[s.output].data;
    if (this.continuous) {
      return { mean: out.mean.data, logStd: out.log_std.data, value: out.value.data, state: next };
    }
    return { logits: out.logits.data, value: out.value.data, state: next };
  }

  // The policy interface (play.js Game): actions for every agent, as a Promise.
  // info.starts (optional, per agent): 1 where an episode starts at this observation;
  // those agents' recurrent state is zeroed first. It is read now, not after an await.
  act(obs, info) {
    const n = info.numAgents;
    if (n !== this.batch) this._setBatch(n);
    if (this.recurrent && info.starts) this.resetState(info.starts);
    this._input.set(obs);  // a copy now: wasm memory may move while we await
    this.lastLogits = null;
    this.lastProbs = null;
    this.lastValues = null;
    this.lastMeans = null;
    this.lastStds = null;
    const mode = info.policyMode === 'sample' ? 'sample' : 'argmax';
    const after = this.recurrent ? (out) => this._keepState(out, n) : null;
    return this._run(this._feeds, after).then(
      (out) => this._choose(out, n, mode),
      (e) => this._failed(e));
  }

  _failed(e) {
    this.failures += 1;
    if (this.failures === MAX_FAILURES && this.onGiveUp) this.onGiveUp(e);
    throw e;
  }

  // A standard normal draw from this.random (Box-Muller).
  _gaussian() {
    const u = 1 - this.random();  // (0, 1]
    const v = this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  // Continuous actions: the means (argmax mode) or Gaussian samples, clipped into bounds.
  _chooseContinuous(out, n, mode) {
    const D = this.actionDim;
    const mean = out.mean && out.mean.data;
    const logStd = out.log_std && out.log_std.data;
    const values = out.value && out.value.data;
    if (!mean || mean.length !== n * D || !logStd || logStd.length !== n * D ||
        !values || values.length !== n) {
      return this._failed(new Error(`model outputs have the wrong size (mean ${mean && mean.length}, ` +
        `log_std ${logStd && logStd.length}, value ${values && values.length}; expected ${n * D}, ` +
        `${n * D} and ${n})`));
    }
    const actions = new Float32Array(n * D);
    const stds = new Float32Array(n * D);
    for (let i = 0; i < n * D; i++) {
      stds[i] = Math.exp(logStd[i]);
      actions[i] = mode === 'sample' ? mean[i] + stds[i] * this._gaussian() : mean[i];
    }
    this.env.sanitizeActions(actions, 0);  // into the bounds, NaN as 0, as C reads them
    this.lastMeans = mean instanceof Float32Array ? mean : Float32Array.from(mean);
    this.lastStds = stds;
    return this._chosen(values, actions);
  }

  // Books a successful run: its values, and the actions it chose (returned).
  _chosen(values, actions) {
    this.lastValues = values instanceof Float32Array ? values : Float32Array.from(values);
    this.failures = 0;
    this.runs += 1;
    if (this.runs === 1) mark('firstModelRun');
    return actions;
  }

  _choose(out, n, mode) {
    if (this.continuous) return this._chooseContinuous(out, n, mode);
    const A = this.numActions;
    const logits = out.logits && out.logits.data;
    const values = out.value && out.value.data;
    if (!logits || logits.length !== n * A || !values || values.length !== n) {
      return this._failed(new Error(`model outputs have the wrong size (logits ${logits && logits.length}, ` +
        `value ${values && values.length}; expected ${n * A} and ${n})`));
    }
    const probs = new Float32Array(n * A);
    const actions = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * A;
      let best = 0;
      let max = logits[o];
      for (let k = 1; k < A; k++) {
        if (logits[o + k] > max) { max = logits[o + k]; best = k; }  // first max, as numpy
      }
      let sum = 0;
      for (let k = 0; k < A; k++) sum += Math.exp(logits[o + k] - max);
      for (let k = 0; k < A; k++) probs[o + k] = Math.exp(logits[o + k] - max) / sum;
      if (mode === 'sample' && Number.isFinite(max)) {
        let u = this.random();
        best = A - 1;
        for (let k = 0; k < A; k++) {
          u -= probs[o + k];
          if (u < 0) { best = k; break; }
        }
      }
      actions[i] = best;
    }
    this.lastLogits = logits;
    this.lastProbs = probs;
    return this._chosen(values, actions);
  }
}

// Downloads ORT, the model and its sidecar (in parallel) and starts the session.
// Nothing here needs the env, so the play page starts it at once, in parallel with the
// env's own download and start. The session's start-up runs on the main thread (up to a
// second under software GL on a busy machine): it waits for `startAfter` (the page's
// first frame), so the game's first frame never waits for it. onProgress({loaded, total,
// phase}).
export async function prepareOnnx(cfg, onProgress, startAfter) {
  if (!cfg || !cfg.model) throw new PolicyLoadError('There is no trained model for this env.');
  mark('policyLoadStart');
  const total = (cfg.ort_wasm_bytes || 0) + (cfg.model_bytes || 0);
  let ortBytes = 0;
  let modelBytes = 0;
  let phase = 'downloading';
  const report = () => {
    if (onProgress) onProgress({ loaded: ortBytes + modelBytes, total, phase });
  };
  report();
  const metaP = fetchJson(cfg.meta, 'The model description');
  const modelP = fetchBytes(cfg.model, 'The model', (n) => { modelBytes = n; report(); });
  const ortP = loadOrt(cfg, (n) => { ortBytes = n; report(); });
  // The first failure fails the load at once (the others are observed, not awaited).
  for (const p of [metaP, modelP, ortP]) p.catch(() => {});
  const [meta, model, ort] = await Promise.all([metaP, modelP, ortP]);
  mark('modelLoaded');
  await startAfter;
  phase = 'starting';
  report();
  let session;
  try {
    session = await withPrecompiled(() => ort.InferenceSession.create(model, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    }));
  } catch (e) {
    throw new PolicyLoadError('onnxruntime-web could not start the model.',
      `${pathOf(cfg.model)}: ${describe(e)}`);
  }
  mark('sessionCreated');
  releaseWasmBinary(ort);
  return { ort, session, meta };
}

// The prepared model checked against the live env (sidecar, session signature, a first
// run at the env's batch size: shapes are checked now, not mid-game).
export async function policyFor(prepared, env) {
  const { ort, session, meta } = prepared;
  checkSidecar(meta, env);
  checkSession(session, env, recurrentState(meta));
  const policy = new OnnxPolicy(ort, session, meta, env);
  const n = env.numAgents || 1;
  let probe;
  try {
    probe = await policy.infer(new (env.obsDtype === 'uint8' ? Uint8Array : Float32Array)(n * env.obsSize), n);
  } catch (e) {
    throw new PolicyLoadError(`The model does not run on ${n} observation(s) of size ${env.obsSize}.`,
      describe(e));
  }
  const heads = env.continuous ? probe.mean : probe.logits;
  const width = env.continuous ? env.actionDim : env.numActions;
  const what = env.continuous ? 'action means' : 'logits';
  if (heads.length !== n * width || probe.value.length !== n ||
      (env.continuous && probe.logStd.length !== n * width)) {
    throw new PolicyLoadError(`The model's outputs have the wrong shape: ${heads.length} ${what} ` +
      `and ${probe.value.length} values for ${n} observation(s), expected ${n * width} and ${n}.`);
  }
  for (const s of policy.state) {
    const got = probe.state[s.output];
    if (!got || got.length !== s.outer * n * s.inner) {
      throw new PolicyLoadError(`The model's state output “${s.output}” has ${got ? got.length : 'no'} ` +
        `values for ${n} observation(s), its description says ${JSON.stringify(s.shape)}.`);
    }
  }
  mark('policyReady');
  return policy;
}

// Both steps for one env (tests, benchmarks).
export async function loadOnnxPolicy(env, cfg, onProgress) {
  const policy = await policyFor(await prepareOnnx(cfg, onProgress), env);
  if (onProgress) onProgress({ loaded: 1, total: 1, phase: 'ready' });
  return policy;
}

// ---- the session in a worker (the play page) ------------------------------------------
// On the play page the session lives in a dedicated worker (onnx_worker.js): the
// downloads, the compile of onnxruntime-web's 14 MB wasm and the session's start run
// there, in parallel with the env's start on the main thread (which under software GL
// waits on the GPU process for up to seconds), and so does every step. The page keeps the
// same OnnxPolicy: tensors cross as plain {type, data, dims} objects.

class PlainTensor {
  constructor(type, data, dims) {
    this.type = type;
    this.data = data;
    this.dims = dims;
  }
}

// What OnnxPolicy needs of onnxruntime-web when the session is in the worker.
const WORKER_ORT = { Tensor: PlainTensor };

// The worker could not run at all (no module workers, its script missing): the page
// then starts the session on the main thread.
class WorkerUnavailable extends Error {}

// The worker's session, as OnnxPolicy uses a session: names, input dtypes, run(feeds).
class WorkerSession {
  constructor(worker, ready) {
    this.worker = worker;
    this.inputNames = ready.inputNames;
    this.outputNames = ready.outputNames;
    this.inputMetadata = ready.inputMetadata;
    this.where = 'worker';
    this.pending = new Map();
    this.nextId = 1;
    this.broken = null;
  }

  run(feeds) {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // PlainTensors (WORKER_ORT): they cross as {type, data, dims}, data copied.
      this.worker.postMessage({ type: 'run', id, feeds });
    });
  }

  // {type: 'result', id, outputs | error} from the worker.
  settle(message) {
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.error) call.reject(new Error(message.error));
    else call.resolve(message.outputs);
  }

  // The worker died: every call, now and later, fails (the policy then gives up).
  fail(error) {
    this.broken = error;
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}

// The worker's load marks (wall-clock ms) on the page's clock, as 'worker.<name>'.
function markFromWorker(marks) {
  for (const name of Object.keys(marks || {})) {
    if (timings['worker.' + name] === undefined) {
      timings['worker.' + name] = Math.round((marks[name] - performance.timeOrigin) * 10) / 10;
    }
  }
  mark('modelLoaded');
}

// The worker's URL with its job in the fragment (onnx_worker.js): the model's config and
// the page's base URL, so it starts loading without a message from this thread. play.html's
// <head> builds the same URL for the worker it creates while the page parses.
function workerUrl(cfg) {
  const url = new URL(pageUrl(cfg.worker));
  url.hash = encodeURIComponent(JSON.stringify({ cfg, base: document.baseURI }));
  return url.href;
}

// prepareOnnx's result from the worker, {ort, session, meta}. `existing`: the worker
// play.html's <head> created with the model's job, its messages so far kept in
// worker.early; else a new one. onStarted() once the worker runs. Rejects with the
// worker's PolicyLoadError (a bad model, a failed download), or with WorkerUnavailable
// when the worker could not run.
function prepareInWorker(cfg, onProgress, existing, onStarted) {
  return new Promise((resolve, reject) => {
    let worker = existing;
    try {
      if (!worker) worker = new Worker(workerUrl(cfg), { type: 'module', name: 'shiftplay-onnx' });
    } catch (e) {
      reject(new WorkerUnavailable(describe(e)));
      return;
    }
    if (worker.bootError) {  // it failed before this page's modules ran (play.html)
      worker.terminate();
      reject(new WorkerUnavailable(worker.bootError));
      return;
    }
    let session = null;
    const handle = (m) => {
      if (m.type === 'result' && session) {
        session.settle(m);
      } else if (m.type === 'started') {
        if (onStarted) onStarted();
      } else if (m.type === 'progress') {
        if (onProgress) onProgress(m.progress);
      } else if (m.type === 'ready') {
        markFromWorker(m.marks);
        session = new WorkerSession(worker, m);
        resolve({ ort: WORKER_ORT, session, meta: m.meta });
      } else if (m.type === 'failed') {
        worker.terminate();
        reject(new PolicyLoadError(m.message, m.detail));
      } else if (m.type === 'unavailable') {
        worker.terminate();
        reject(new WorkerUnavailable(m.message));
      }
    };
    // A worker from play.html's <head> was started with its job there and kept what it said.
    for (const m of worker.early || []) handle(m);
    worker.onmessage = (event) => handle(event.data || {});
    worker.onerror = (event) => {
      event.preventDefault();
      const what = event.message || 'it could not be started';
      if (session) {
        session.fail(new Error(`the model's worker stopped: ${what}`));
      } else {
        worker.terminate();
        reject(new WorkerUnavailable(what));
      }
    };
  });
}

// The session in the worker where the page has one (cfg.worker; `worker`: already
// created), else (or when the worker cannot run) on the main thread after `startAfter`.
// onStarted() once the worker runs, or at once where it does not.
function preparePage(cfg, onProgress, startAfter, worker, onStarted) {
  if (!cfg.worker || typeof Worker !== 'function') {
    onStarted();
    return prepareOnnx(cfg, onProgress, startAfter);
  }
  return prepareInWorker(cfg, onProgress, worker, onStarted).catch((e) => {
    onStarted();
    if (!(e instanceof WorkerUnavailable)) throw e;
    console.warn(`[shiftplay] the model's worker could not run (${e.message}); ` +
      'the model starts on the main thread');
    return prepareOnnx(cfg, onProgress, startAfter);
  });
}

// ---- the play page ------------------------------------------------------------------

// Starts the model's download and start-up at once (before the env exists), in the worker
// (`worker`, if play.html's <head> already created it; on the main thread only after
// `startAfter` where no worker can run), unless the page has none or the URL says
// ?policy=baseline; null then. Progress is kept until startModel() hands it to the game;
// early.started resolves once the worker runs (at once without one).
export function prefetchModel(cfg, url, startAfter, worker) {
  if (!cfg || (url && url.policy === 'baseline')) return null;
  const early = { progress: null, onProgress: null };
  let started = null;
  early.started = new Promise((resolve) => { started = resolve; });
  early.prepared = preparePage(cfg, (p) => {
    early.progress = p;
    if (early.onProgress) early.onProgress(p);
  }, startAfter, worker, () => started());
  early.prepared.catch(() => {});  // reported by startModel
  return early;
}

export function startModel(page, early) {
  const { game, env } = page;
  const cfg = page.config && page.config.policy;
  const update = (fields) => game.setPolicyStatus(fields);
  const offFirst = game.on('step', () => {
    mark('firstStep');
    offFirst();
  });
  const offModel = game.on('step', (d) => {
    if (d.source === 'model') {
      mark('firstModelStep');
      offModel();
    }
  });
  if (!cfg) {
    update({ state: 'none', message: 'No trained model for this env yet: the scripted baseline plays.' });
    return;
  }
  if (!early) {
    update({ state: 'off', message: 'The scripted baseline plays (?policy=baseline).' });
    return;
  }
  let settled = false;
  const progress = (p) => {
    if (!settled) update({ state: 'loading', loaded: p.loaded, total: p.total, phase: p.phase });
  };
  progress(early.progress || { loaded: 0, total: (cfg.ort_wasm_bytes || 0) + (cfg.model_bytes || 0) });
  early.onProgress = progress;
  early.prepared
    .then((prepared) => policyFor(prepared, env))
    .finally(() => { settled = true; })
    .then((policy) => {
      policy.onGiveUp = (e) => {
        if (game.policy === policy) game.setPolicy(null);
        problem('The trained policy stopped working, so the scripted baseline plays instead.', e,
          { key: 'policy', kind: 'warn' });
        update({ state: 'failed', message: describe(e) });
      };
      page.model = policy;
      // It takes over from the baseline, never from a policy someone else plugged in.
      if (game.policy === game.baseline) game.setPolicy(policy);
      update({ state: 'ready', message: '' });
    })
    .catch((e) => {
      update({ state: 'failed', message: describe(e), error: e });
      problem('The trained policy could not be loaded, so the scripted baseline keeps playing.',
        e, { key: 'policy', kind: 'warn' });
    });
}
