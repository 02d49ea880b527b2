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
// On the play page, prefetchModel(cfg, url) starts ORT's and the model's downloads and the
// session at once, in parallel with the env (the baseline bot plays meanwhile); then
// startModel(page, early) checks the model against the env, hands it to the game and
// reports progress through it (game.setPolicyStatus -> 'status' events: {state:
// 'loading' | 'ready' | 'failed' | 'none' | 'off', loaded, total, message}). On any
// failure it shows a banner and leaves the baseline playing. ?policy=baseline in the
// page's URL skips the model ('off').
//
// The model's inputs are fed in one place (OnnxPolicy._setBatch / act): a recurrent
// policy's state tensors would be added to the same feeds and carried between steps.
import { mark, problem } from './fallbacks.js';

const LABEL = 'Trained policy (PPO)';
const INPUT = 'obs';
const OUTPUTS = ['logits', 'value'];
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
  let ort;
  try {
    ort = await import(cfg.ort_module);
  } catch (e) {
    throw new PolicyLoadError(
      `onnxruntime-web could not be loaded from ${pathOf(cfg.ort_module)}.`,
      `${describe(e)}. Is web/node_modules installed? Run \`make web\` (npm ci in web/).`);
  }
  if (!ort || typeof ort.InferenceSession !== 'function') ort = ort && ort.default;
  if (!ort || !ort.InferenceSession || !ort.env || !ort.Tensor) {
    throw new PolicyLoadError(`${pathOf(cfg.ort_module)} is not onnxruntime-web.`);
  }
  const wasm = await fetchBytes(cfg.ort_wasm, 'The onnxruntime-web WebAssembly', onBytes);
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new PolicyLoadError(`${pathOf(cfg.ort_wasm)} is not a WebAssembly module.`);
  }
  const env = ort.env;
  env.logLevel = 'error';
  env.wasm.wasmPaths = { wasm: new URL(cfg.ort_wasm, location.href).href };
  env.wasm.wasmBinary = wasm;
  // Threads need cross-origin isolation and do not pay off at these batch sizes.
  env.wasm.numThreads = 1;
  env.wasm.proxy = false;
  mark('ortLoaded');
  return ort;
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
  if (a.count !== env.numActions) {
    problems.push(`it has ${a.count} actions, the env has ${env.numActions}`);
  }
  if (Array.isArray(meta.recurrent_state) && meta.recurrent_state.length) {
    problems.push('it has recurrent state, which this page does not run yet');
  }
  if (problems.length) {
    throw new PolicyLoadError(`The trained policy does not fit ${spec.title || name}: ` +
      problems.join('; ') + '.', 'Retrain or re-export it: python -m export --env ' + name);
  }
}

// The session's own signature (names, and dtypes where ORT reports them).
function checkSession(session, env) {
  const inputs = session.inputNames || [];
  const outputs = session.outputNames || [];
  if (inputs.length !== 1 || inputs[0] !== INPUT) {
    throw new PolicyLoadError(`The model must have one input “${INPUT}”, it has ${JSON.stringify(inputs)}.`);
  }
  for (const name of OUTPUTS) {
    if (!outputs.includes(name)) {
      throw new PolicyLoadError(`The model has no output “${name}” (outputs: ${JSON.stringify(outputs)}).`);
    }
  }
  const meta = session.inputMetadata && session.inputMetadata[0];
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
    this.meta = meta;
    this.env = env;
    this.obsSize = env.obsSize;
    this.obsDtype = env.obsDtype;
    this.numActions = env.numActions;
    this.actionNames = (meta.actions && meta.actions.names) || env.actionNames;
    this.batch = 0;
    this.lastLogits = null;
    this.lastProbs = null;
    this.lastValues = null;
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

  // One input tensor per batch size, reused every step (its data is refilled in place).
  _setBatch(n) {
    const T = this.obsDtype === 'uint8' ? Uint8Array : Float32Array;
    this._input = new T(n * this.obsSize);
    this._feeds = { [INPUT]: this._tensor(this._input, n) };
    this.batch = n;
  }

  // ORT sessions run one call at a time: every run goes through this queue.
  _run(feeds) {
    const p = this._chain.then(() => this.session.run(feeds));
    this._chain = p.then(() => undefined, () => undefined);
    return p;
  }

  // Raw outputs for `obs` (typed array, batch x obs_size), for tests and benchmarks.
  async infer(obs, batch) {
    const T = this.obsDtype === 'uint8' ? Uint8Array : Float32Array;
    const data = obs instanceof T ? obs.slice() : T.from(obs);
    const n = batch || data.length / this.obsSize;
    const out = await this._run({ [INPUT]: this._tensor(data, n) });
    return { logits: out.logits.data, value: out.value.data };
  }

  // The policy interface (play.js Game): actions for every agent, as a Promise.
  act(obs, info) {
    const n = info.numAgents;
    if (n !== this.batch) this._setBatch(n);
    this._input.set(obs);  // a copy now: wasm memory may move while we await
    this.lastLogits = null;
    this.lastProbs = null;
    this.lastValues = null;
    const mode = info.policyMode === 'sample' ? 'sample' : 'argmax';
    return this._run(this._feeds).then(
      (out) => this._choose(out, n, mode),
      (e) => this._failed(e));
  }

  _failed(e) {
    this.failures += 1;
    if (this.failures === MAX_FAILURES && this.onGiveUp) this.onGiveUp(e);
    throw e;
  }

  _choose(out, n, mode) {
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
    this.lastValues = values instanceof Float32Array ? values : Float32Array.from(values);
    this.failures = 0;
    this.runs += 1;
    if (this.runs === 1) mark('firstModelRun');
    return actions;
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
    session = await ort.InferenceSession.create(model, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
  } catch (e) {
    throw new PolicyLoadError('onnxruntime-web could not start the model.',
      `${pathOf(cfg.model)}: ${describe(e)}`);
  }
  releaseWasmBinary(ort);
  return { ort, session, meta };
}

// The prepared model checked against the live env (sidecar, session signature, a first
// run at the env's batch size: shapes are checked now, not mid-game).
export async function policyFor(prepared, env) {
  const { ort, session, meta } = prepared;
  checkSidecar(meta, env);
  checkSession(session, env);
  const policy = new OnnxPolicy(ort, session, meta, env);
  const n = env.numAgents || 1;
  let probe;
  try {
    probe = await policy.infer(new (env.obsDtype === 'uint8' ? Uint8Array : Float32Array)(n * env.obsSize), n);
  } catch (e) {
    throw new PolicyLoadError(`The model does not run on ${n} observation(s) of size ${env.obsSize}.`,
      describe(e));
  }
  if (probe.logits.length !== n * env.numActions || probe.value.length !== n) {
    throw new PolicyLoadError(`The model's outputs have the wrong shape: ${probe.logits.length} logits ` +
      `and ${probe.value.length} values for ${n} observation(s), expected ${n * env.numActions} and ${n}.`);
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

// ---- the play page ------------------------------------------------------------------

// Starts the model's download at once (before the env exists) and its start-up after
// `startAfter`, unless the page has none or the URL says ?policy=baseline; null then. Progress is kept until
// startModel() hands it to the game.
export function prefetchModel(cfg, url, startAfter) {
  if (!cfg || (url && url.policy === 'baseline')) return null;
  const early = { progress: null, onProgress: null };
  early.prepared = prepareOnnx(cfg, (p) => {
    early.progress = p;
    if (early.onProgress) early.onProgress(p);
  }, startAfter);
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
