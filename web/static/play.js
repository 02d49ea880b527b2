// ShiftPlay browser runtime, generic over envs: everything it knows about an env comes
// from the module (web/build/<env>.js, built from web/wasm_entry.c) and its manifest
// entry (web/build/manifest.json). Nothing here names an env, and nothing here touches
// the page's DOM: the play page (play_page.js) and the gallery (gallery.js) import it.
//
//   const env = await loadEnv(entry, {canvas});   // entry: manifest.envs[name]
//   env.create(seed); env.renderInit();
//   const game = new Game(env, {input: new ShiftInput()});
//   game.on('step', (decision) => ...);          // see Game's events below
//   game.setPolicy(policy);   // optional: anything with act(obs, info) -> actions|Promise
//   game.start();
//
// Frame loop (requestAnimationFrame): per frame, speed x stepsPerSecond/60 steps (read
// input -> choose actions -> step), then one render. A policy may be async (e.g.
// onnxruntime-web); the loop awaits it and never runs two steps at once. While Shift is
// held (or game.humanHeld / game.humanActionOverride is set, e.g. by touch controls) the
// human's agent (game.humanAgent) takes the keys (env_human_action in C, through raylib's
// key state) or the override action; every other agent, and the human's agent otherwise,
// follows the policy, falling back to the env's C baseline if the policy fails.
// A model policy runs on every step, also while the human drives (its actions for the
// human's agent are shown, not stepped), so a recurrent one carries its state through
// the real game: info.starts tells it which agents begin an episode at this observation.
//
// Actions come in the env's kind (spec.action_kind): discrete envs take an Int32Array of
// one action per agent; continuous ones a Float32Array of actionDim values per agent
// (agent a's at a * actionDim), each within [action_low, action_high]. Everything here
// goes through env.newActions / setAgentAction / agentAction / sanitizeActions, so the
// loop, the human's takeover and the decisions work the same for both.

import { siteUrl } from './url_state.js';

export const STAT = {
  RETURN: 0, LENGTH: 1, LAST_RETURN: 2, LAST_LENGTH: 3, LAST_SCORE: 4, LAST_PERF: 5,
  EPISODES: 6, DONE: 7,
};

// A load failure: `message` is for the visitor (what failed, in plain words, naming the
// file); `detail` is for the developer (the console).
export class LoadError extends Error {
  constructor(message, detail) {
    super(message);
    this.name = 'LoadError';
    this.detail = detail || '';
  }
}

export function describe(e) {
  return e && e.message ? e.message : String(e);
}

function fileOf(url) {
  try {
    return new URL(url, location.href).pathname.split('/').pop();
  } catch (e) {
    return String(url);
  }
}

// The env's Emscripten glue is a classic script that defines a global factory.
const scripts = new Map();
export function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const el = document.createElement('script');
      el.src = src;
      el.async = true;
      el.onload = () => resolve();
      el.onerror = () => {
        scripts.delete(src);
        reject(new LoadError(`The game's code (${fileOf(src)}) could not be downloaded.`,
          `<script src="${src}"> failed to load`));
      };
      document.head.appendChild(el);
    }));
  }
  return scripts.get(src);
}

// GET a .wasm: a Response, or a LoadError that names the file.
async function fetchWasm(url) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (e) {
    throw new LoadError(`The game's file ${fileOf(url)} could not be downloaded (no connection to the server).`,
      `GET ${url}: ${describe(e)}`);
  }
  if (!response.ok) {
    throw new LoadError(`The game's file ${fileOf(url)} could not be downloaded (the server answered ${response.status}).`,
      `GET ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  return response;
}

async function instantiate(responseP, imports, url) {
  const response = await responseP;
  try {
    if (typeof WebAssembly.instantiateStreaming === 'function') {
      try {
        return await WebAssembly.instantiateStreaming(response.clone(), imports);
      } catch (e) {
        console.warn(`streaming compile of ${url} failed, retrying from bytes:`, e);
      }
    }
    return await WebAssembly.instantiate(await response.arrayBuffer(), imports);
  } catch (e) {
    throw new LoadError(`The game's file ${fileOf(url)} is damaged or not for this browser.`,
      `instantiate ${url}: ${describe(e)}`);
  }
}

// One instance of a built env: typed views over its wasm buffers and its exports.
export class WasmEnv {
  constructor(mod, entry) {
    this.mod = mod;
    this.entry = entry;
    this.spec = entry.spec;
    this.numActions = mod._sp_num_actions();
    this.obsSize = mod._sp_obs_size();
    this.obsDtype = mod._sp_obs_dtype() === 1 ? 'uint8' : 'float32';
    this.obsShape = this.spec.obs_shape || [this.obsSize];
    this.statsFields = mod._sp_stats_fields();
    this.renderWidth = mod._sp_render_width();
    this.renderHeight = mod._sp_render_height();
    this.stepsPerSecond = mod._sp_steps_per_second();
    this.actionNames = this.spec.action_names || [];
    // Continuous actions (envs/env.h): actionDim float32 values per agent.
    this.continuous = this.spec.action_kind === 'continuous';
    this.actionDim = this.continuous ? mod._sp_action_dim() : 1;
    this.actionLow = this.continuous ? Float32Array.from(this.spec.action_low) : null;
    this.actionHigh = this.continuous ? Float32Array.from(this.spec.action_high) : null;
    this.ActionArray = this.continuous ? Float32Array : Int32Array;
    this.numAgents = 0;
    this.windowOpen = false;
    this._buffer = null;
    this._scratch = 0;
  }

  // New env with the default params (or `params`, one int per spec.params) and seed.
  create(seed, params) {
    const mod = this.mod;
    let ptr = 0;
    if (params) {
      ptr = mod._malloc(4 * params.length);
      mod.HEAP32.set(Int32Array.from(params), ptr >> 2);
    }
    const rc = mod._sp_create(seed >>> 0, Math.floor(seed / 4294967296) >>> 0, ptr);
    if (ptr) mod._free(ptr);
    if (rc !== 0) throw new Error(`${this.spec.name}: create failed (${rc})`);
    this.numAgents = mod._sp_num_agents();
    if (this._scratch) mod._free(this._scratch);
    this._scratch = mod._malloc(4 * this.numAgents * this.actionDim);
    this._buffer = null;
    return this;
  }

  reset(seed) {
    this.mod._sp_reset(seed >>> 0, Math.floor(seed / 4294967296) >>> 0);
  }

  // Views are rebuilt whenever wasm memory grew (its ArrayBuffer changes).
  _views() {
    const mod = this.mod;
    const buf = mod.HEAPU8.buffer;
    if (buf !== this._buffer) {
      const n = this.numAgents;
      const obsPtr = mod._sp_obs_ptr();
      this._obs = this.obsDtype === 'uint8'
        ? new Uint8Array(buf, obsPtr, n * this.obsSize)
        : new Float32Array(buf, obsPtr, n * this.obsSize);
      const A = this.ActionArray;
      this._actions = new A(buf, mod._sp_actions_ptr(), n * this.actionDim);
      this._rewards = new Float32Array(buf, mod._sp_rewards_ptr(), n);
      this._terminals = new Uint8Array(buf, mod._sp_terminals_ptr(), n);
      this._truncations = new Uint8Array(buf, mod._sp_truncations_ptr(), n);
      this._stats = new Float32Array(buf, mod._sp_stats_ptr(), n * this.statsFields);
      this._scratchView = new A(buf, this._scratch, n * this.actionDim);
      this._human = this.continuous ? new Float32Array(buf, mod._sp_human_ptr(), this.actionDim) : null;
      this._buffer = buf;
    }
  }

  get obs() { this._views(); return this._obs; }             // num_agents x obs_size
  get actions() { this._views(); return this._actions; }     // see newActions()
  get rewards() { this._views(); return this._rewards; }
  get terminals() { this._views(); return this._terminals; }
  get truncations() { this._views(); return this._truncations; }

  agentObs(agent) {
    const o = this.obs;
    return o.subarray(agent * this.obsSize, (agent + 1) * this.obsSize);
  }

  // A zeroed action buffer for every agent: Int32Array(numAgents), or
  // Float32Array(numAgents * actionDim) for continuous actions.
  newActions() { return new this.ActionArray(this.numAgents * this.actionDim); }

  // Agent `agent`'s action in buffer `a`: an int, or a view of its actionDim values.
  agentAction(a, agent) {
    if (!this.continuous) return a[agent];
    return a.subarray(agent * this.actionDim, (agent + 1) * this.actionDim);
  }

  // Sets agent `agent`'s action in `a` (an int, or actionDim values).
  setAgentAction(a, agent, value) {
    if (this.continuous) a.set(value, agent * this.actionDim);
    else a[agent] = value;
  }

  // Makes every action in `a` valid, as C would read it: a discrete one outside
  // [0, numActions) becomes `invalid`; a continuous value is clamped into its bounds
  // (NaN reads as 0). So what the page shows is what was played.
  sanitizeActions(a, invalid) {
    if (!this.continuous) {
      for (let i = 0; i < a.length; i++) {
        if (!(a[i] >= 0 && a[i] < this.numActions)) a[i] = invalid;
      }
      return a;
    }
    const d = this.actionDim;
    for (let i = 0; i < a.length; i++) {
      const lo = this.actionLow[i % d];
      const hi = this.actionHigh[i % d];
      const v = Number.isNaN(a[i]) ? 0 : a[i];
      a[i] = v < lo ? lo : (v > hi ? hi : v);
    }
    return a;
  }

  // Writes `actions` (newActions() layout) into wasm memory and steps once.
  step(actions) {
    this.actions.set(actions);
    this.mod._sp_step();
  }

  // The C baseline's actions for all agents, into `out` (newActions() layout).
  baselineActions(out) {
    this.mod._sp_baseline_fill(this._scratch);
    this._views();
    out.set(this._scratchView);
    return out;
  }

  // The human's action for `agent` from the keys held: an int, or (continuous) a new
  // Float32Array of actionDim values, ramped by the render header.
  humanAction(agent) {
    const a = this.mod._sp_human_action(agent);
    if (!this.continuous) return a;
    this._views();
    return Float32Array.from(this._human);
  }

  // Off: a finished episode keeps its final state until reset() (versus games).
  setAutoreset(on) { this.mod._sp_set_autoreset(on ? 1 : 0); }

  // Turn-based envs (spec.turn_based): the agent to move (its legal-action mask in the
  // observation is not all zero), or -1 (game over).
  mover() {
    const start = this.spec.action_mask_obs;
    for (let a = 0; a < this.numAgents; a++) {
      const o = this.agentObs(a);
      for (let i = 0; i < this.numActions; i++) if (o[start + i]) return a;
    }
    return -1;
  }

  // Turn-based envs: whether `action` is legal for `agent` now.
  isLegal(agent, action) {
    if (!(action >= 0 && action < this.numActions)) return false;
    return this.agentObs(agent)[this.spec.action_mask_obs + action] !== 0;
  }

  renderInit() {
    if (!this.windowOpen) {
      if (this.mod.canvas) leanContext(this.mod.canvas);
      this.mod._sp_render_init();
      this.windowOpen = true;
    }
  }

  render(highlightAgent) { this.mod._sp_render(highlightAgent); }

  agentStats(agent) {
    this._views();
    const s = this._stats;
    const o = agent * this.statsFields;
    return {
      episodeReturn: s[o + STAT.RETURN],
      episodeLength: s[o + STAT.LENGTH],
      lastReturn: s[o + STAT.LAST_RETURN],
      lastLength: s[o + STAT.LAST_LENGTH],
      lastScore: s[o + STAT.LAST_SCORE],
      lastPerf: s[o + STAT.LAST_PERF],
      episodes: s[o + STAT.EPISODES],
      done: s[o + STAT.DONE] !== 0,
    };
  }

  // What a policy gets besides the observation buffer.
  info() {
    return {
      numAgents: this.numAgents, obsSize: this.obsSize, obsShape: this.obsShape,
      obsDtype: this.obsDtype, numActions: this.numActions, spec: this.spec,
      continuous: this.continuous, actionDim: this.actionDim,
      actionLow: this.actionLow, actionHigh: this.actionHigh,
    };
  }
}


// The WebGL context the game draws into, created just before raylib opens its window
// (which then gets this same context: a canvas has one). Emscripten's GLFW would ask for
// depth, stencil and alpha, which raylib's 2D drawing does not use and which make the
// context slower to create and every frame slower to composite under software GL.
const GL_ATTRIBUTES = { alpha: false, antialias: false, depth: false, stencil: false };

// The only extension raylib's 2D drawing uses (rlgl.h: vertex array objects, which save
// the attribute set-up of every draw). At InitWindow emscripten enables every extension
// the context lists, each one or two synchronous GPU round trips (about 30 extensions,
// 0.1-1 s under software GL on a busy machine), and raylib reads the same list to decide
// what to use; so the game's context lists only this one, and both stay consistent.
const GL_EXTENSIONS_USED = ['OES_vertex_array_object'];

function leanContext(canvas) {
  let gl = null;
  try {
    gl = canvas.getContext('webgl', GL_ATTRIBUTES);
  } catch (e) {
    return;  // raylib asks again and the page reports what fails
  }
  if (!gl) return;
  const supported = gl.getSupportedExtensions() || [];
  const used = GL_EXTENSIONS_USED.filter((name) => supported.includes(name));
  gl.getSupportedExtensions = () => used.slice();
}

// Loads web/build/<entry.js> and instantiates it on `canvas` (may be omitted). The
// script and its .wasm download in parallel (the play page preloads both); failures are
// LoadErrors naming the file.
export async function loadEnv(entry, options) {
  const opts = options || {};
  const base = opts.buildUrl || siteUrl('build/');
  const v = entry.version ? '?v=' + encodeURIComponent(entry.version) : '';
  const wasmUrl = base + entry.wasm + v;
  const wasmP = fetchWasm(wasmUrl);
  wasmP.catch(() => {});  // observed below, once the script is in
  const scriptP = loadScript(base + entry.js + v);
  await scriptP;
  const factory = window[entry.export_name];
  if (typeof factory !== 'function') {
    throw new LoadError(`The game's code (${entry.js}) is not what this page expects.`,
      `no module factory ${entry.export_name} in ${entry.js}`);
  }
  let failed = null;
  const failure = new Promise((resolve, reject) => { failed = reject; });
  const mod = await Promise.race([failure, factory({
    canvas: opts.canvas || null,
    locateFile: (file) => base + file + v,
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    instantiateWasm(imports, receive) {
      instantiate(wasmP, imports, wasmUrl).then((r) => receive(r.instance, r.module), failed);
      return {};
    },
  })]);
  return new WasmEnv(mod, entry);
}

// The env's scripted baseline (C), for every agent. Synchronous; the loop accepts both.
export class BaselinePolicy {
  constructor(env) {
    this.env = env;
    this.name = 'baseline';
    this.label = 'Scripted baseline (C)';
    this._out = null;
  }

  act(obs, info) {
    if (!this._out || this._out.length !== info.numAgents * this.env.actionDim) this._out = this.env.newActions();
    return this.env.baselineActions(this._out);
  }
}

// Which Shift keys are held. Releases everything on blur / hidden tab, and when a key
// event says no Shift is down (a keyup lost outside the page). onChange() runs whenever
// `held` may have changed (the Game then says at once who is in control).
export class ShiftInput {
  constructor(target) {
    this.target = target || window;
    this.down = new Set();
    this.listeners = [];
    this.onChange = null;
    // 'Shift' stands for a Shift pressed before the page had focus, seen only through
    // the shiftKey flag of other keys.
    this._on(this.target, 'keydown', (e) => {
      if (e.code === 'ShiftLeft' || e.code === 'ShiftRight') this.down.add(e.code);
      else if (!e.shiftKey) this.down.clear();
      else if (this.down.size === 0) this.down.add('Shift');
    });
    this._on(this.target, 'keyup', (e) => {
      if (e.code === 'ShiftLeft' || e.code === 'ShiftRight') {
        this.down.delete(e.code);
        this.down.delete('Shift');
      } else if (!e.shiftKey) {
        this.down.clear();
      }
    });
    this._on(window, 'blur', () => this.down.clear());
    this._on(document, 'visibilitychange', () => { if (document.hidden) this.down.clear(); });
  }

  _on(target, type, fn) {
    const listener = (e) => {
      fn(e);
      if (this.onChange) this.onChange();
    };
    target.addEventListener(type, listener, true);
    this.listeners.push([target, type, listener]);
  }

  get held() { return this.down.size > 0; }

  dispose() {
    for (const [t, type, fn] of this.listeners) t.removeEventListener(type, fn, true);
    this.listeners = [];
    this.down.clear();
  }
}

// The Game's events, the page's one source of notifications: game.on(type, fn) returns
// an unsubscribe function.
//   step     fn(decision)          after every step (see Game._decide)
//   frame    fn(game)              after every render (a frame with steps, or a reset)
//   episode  fn(episode)           the human's agent finished an episode
//   control  fn({human, agent})    who is in control of the human's agent changed
//   policy   fn(policy)            game.setPolicy
//   status   fn(status)            the policy loader's progress (game.setPolicyStatus)
//   mode     fn(mode)              game.policyMode changed ('argmax' | 'sample')
//   speed    fn(speed)             game.speed changed
//   pause    fn(paused)            game.setPaused
//   reset    fn({seed})            game.reset: a new episode from `seed`
//   error    fn(error)             the frame loop stopped on an error
//   turn     fn({agent, human})    turn-based envs: who is to move changed (-1: game over)
export const GAME_EVENTS = ['step', 'frame', 'episode', 'control', 'policy', 'status', 'mode',
  'speed', 'pause', 'reset', 'error', 'turn'];
const MODES = ['argmax', 'sample'];

// Runs an env: one step + one render per animation frame, at most stepsPerSecond.
//
// Versus mode (options.versus, an env created with its spec.versus_param set): the human
// drives agent humanAgent (their side) on every step, without Shift; the policy plays the
// other side, and Shift (humanActive) hands the other side to the human's keys too. The
// env does not autoreset: a finished game stays on screen (game.over) until reset().
// Turn-based envs (spec.turn_based) wait for a human-driven agent to pick a legal move:
// nothing steps until it does, and illegal picks are ignored; the bot's moves come at
// stepsPerSecond, the human's the frame they are made.
export class Game {
  constructor(env, options) {
    const opts = options || {};
    this.env = env;
    this.input = opts.input || null;          // ShiftInput, or null: bot only
    this.humanAgent = opts.humanAgent || 0;   // the agent Shift hands to the human
    this.versus = !!opts.versus;
    this.turnBased = !!(env.spec && env.spec.turn_based);
    this.over = false;        // versus: the game ended; frozen until reset()
    this.tookOver = false;    // versus: the human drove the bot's side this game
    this.turn = -2;           // turn-based: the agent to move (-1 none), -2 unknown
    this._pendingPick = null; // turn-based: a pick read while a bot step was in flight
    this.highlight = opts.highlight === undefined ? this.humanAgent : opts.highlight;
    this.stepsPerSecond = opts.stepsPerSecond || env.stepsPerSecond || 60;
    this._listeners = new Map(GAME_EVENTS.map((t) => [t, []]));
    this.baseline = new BaselinePolicy(env);
    this.policy = this.baseline;
    this.policyFailures = 0;
    // The policy loader's state: {state: 'none' | 'loading' | 'ready' | 'failed' | 'off', ...}.
    this.policyStatus = { state: 'none', loaded: 0, total: 0, message: '' };
    this.running = false;
    this.paused = false;
    this.busy = false;
    this.totalSteps = 0;
    this.humanSteps = 0;
    this.lastControl = 'bot';
    // Time control: `speed` x (stepsPerSecond / 60) steps per animation frame, counted
    // in frames (exact: 1x at 60 steps/s is one step a frame, 0.25x one every 4th
    // frame); one render per frame. frameScale follows the display's frame rate (a
    // 120 Hz display steps half as much per frame, a 30 Hz one twice; 1 near 60 Hz);
    // autoFrameScale = false keeps it as set.
    this._speed = 1;
    this.frameScale = 1;
    this.autoFrameScale = true;
    this.frames = 0;
    this.seed = null;
    this._stepAcc = 0;
    this._queued = 0;
    this._dtAvg = 1000 / 60;
    // Human input besides Shift (touch): humanHeld takes over with the env's own key
    // mapping; humanActionOverride (an action index, or for continuous actions an array
    // of actionDim values, e.g. a thumb joystick's) takes over with that action.
    this._humanHeld = false;
    this._humanActionOverride = null;
    this._human = false;
    this.lastEpisode = null;
    // Every step's decision (see _decide). policyMode: how a model policy picks from its
    // distribution, 'argmax' or 'sample'.
    this._mode = 'argmax';
    this.lastDecision = null;
    this._source = 'baseline';
    this._lastTs = null;
    this._raf = 0;
    this._actions = env.newActions();
    // Per agent, 1 when its episode starts at the current observation: the policy gets
    // it as info.starts (a recurrent one zeroes those agents' state). Set by an episode's
    // end (terminal or truncation), reset() and setPolicy(); cleared once a policy saw it.
    this._starts = new Uint8Array(env.numAgents).fill(1);
    this._fpsFrames = 0;
    this._fpsSince = 0;
    this.fps = 0;
    this._resetSplit();
    this._tick = this._tick.bind(this);
    if (this.input) this.input.onChange = () => this.checkControl();
    if (this.versus) env.setAutoreset(false);
  }

  // Whether the human's input drives `agent` now.
  drives(agent) {
    if (this.versus) return agent === this.humanAgent || this.humanActive;
    return agent === this.humanAgent && this.humanActive;
  }

  // The agent the policy and eye views follow: the human's, or in versus mode the bot's
  // side (what the bot sees and decides).
  get viewAgent() {
    return this.versus ? (this.humanAgent + 1) % this.env.numAgents : this.humanAgent;
  }

  // Turn-based: whether the agent to move is waiting for the human.
  get awaitingHuman() {
    return this.turnBased && !this.over && this.turn >= 0 && this.drives(this.turn);
  }

  _checkTurn() {
    if (!this.turnBased) return;
    const t = this.env.mover();
    if (t !== this.turn) {
      this.turn = t;
      this.emit('turn', { agent: t, human: t >= 0 && this.drives(t) });
    }
  }

  // ---- events ----
  on(type, fn) {
    const list = this._listeners.get(type);
    if (!list) throw new Error('unknown game event ' + type);
    if (!list.includes(fn)) list.push(fn);
    return () => this.off(type, fn);
  }

  off(type, fn) {
    const list = this._listeners.get(type);
    const i = list ? list.indexOf(fn) : -1;
    if (i >= 0) list.splice(i, 1);
  }

  // One listener's exception never stops the others, nor the game.
  emit(type, value) {
    for (const fn of this._listeners.get(type).slice()) {
      try { fn(value); } catch (e) { console.error(e); }
    }
  }

  // ---- state with events ----
  get speed() { return this._speed; }
  set speed(s) {
    if (!(s > 0) || s === this._speed) return;
    this._speed = s;
    this.emit('speed', s);
  }

  get policyMode() { return this._mode; }
  set policyMode(mode) {
    if (!MODES.includes(mode)) throw new Error(`policy mode must be one of ${MODES.join(', ')}, not ${mode}`);
    if (mode === this._mode) return;
    this._mode = mode;
    this.emit('mode', mode);
  }

  get humanHeld() { return this._humanHeld; }
  set humanHeld(v) {
    this._humanHeld = !!v;
    this.checkControl();
  }

  get humanActionOverride() { return this._humanActionOverride; }
  set humanActionOverride(a) {
    this._humanActionOverride = a === null || a === undefined ? null : a;
    this.checkControl();
  }

  // Whether the human takes over now (Shift, touch). In versus mode the human's own side
  // is always theirs; this is then the bot's side too, and a touch action button
  // (humanActionOverride) drives only the human's side.
  get humanActive() {
    const override = !this.versus && this._humanActionOverride !== null;
    return !!((this.input && this.input.held) || this._humanHeld || override);
  }

  // Emits 'control' when who is in control changed (Shift, touch, blur...).
  checkControl() {
    const human = this.humanActive;
    if (human !== this._human) {
      this._human = human;
      this.emit('control', { human, agent: this.humanAgent });
    }
    return human;
  }

  _resetSplit() {
    this.split = { bot: 0, you: 0, botSteps: 0, youSteps: 0 };
  }

  // A policy: {name, label, act(obs, info) -> actions | Promise<actions>}, actions in
  // env.newActions() layout (Int32Array per agent, or actionDim floats per agent).
  // null restores the baseline. obs is a view into wasm memory, valid until the
  // promise settles (steps wait for it); copy it to keep it.
  setPolicy(policy) {
    this.policy = policy || this.baseline;
    this.policyFailures = 0;
    this._starts.fill(1);
    this.emit('policy', this.policy);
  }

  setPolicyStatus(fields) {
    this.policyStatus = Object.assign({}, this.policyStatus, fields);
    this.emit('status', this.policyStatus);
  }

  // Steps per animation frame at the current speed.
  get stepsPerFrame() { return (this._speed * this.stepsPerSecond * this.frameScale) / 60; }

  start() {
    if (this.running) return;
    this.running = true;
    this._lastTs = null;
    this._raf = requestAnimationFrame(this._tick);
  }

  stop() {
    this.running = false;
    cancelAnimationFrame(this._raf);
  }

  setPaused(paused) {
    const p = !!paused;
    this._stepAcc = 0;
    if (p === this.paused) return;
    this.paused = p;
    this.emit('pause', p);
  }

  // Pauses, then makes exactly one step (queued while a step is in flight).
  stepOnce() {
    this.setPaused(true);
    this._queued += 1;
    if (!this.busy) this._run(0);
  }

  reset(seed) {
    this.env.reset(seed);
    this.seed = seed;
    this.over = false;
    this.tookOver = false;
    this._starts.fill(1);
    this._pendingPick = null;
    this._resetSplit();
    this._stepAcc = 0;
    this._queued = 0;
    this.emit('reset', { seed });
    this._frameDone();
  }

  _tick(ts) {
    if (!this.running) return;
    this._raf = requestAnimationFrame(this._tick);
    const dt = this._lastTs === null ? 1000 / 60 : ts - this._lastTs;
    this._lastTs = ts;
    this.frames += 1;
    if (dt > 0 && dt < 250) this._dtAvg += 0.05 * (dt - this._dtAvg);
    if (this.autoFrameScale) {
      const r = this._dtAvg / (1000 / 60);
      this.frameScale = r > 0.88 && r < 1.12 ? 1 : Math.min(2, Math.max(0.25, r));
    }
    if (this.busy) return;
    let n = 0;
    if (this.over) {
      this._stepAcc = 0;
    } else if (this.awaitingHuman && !this.paused) {
      n = 1;  // poll the human's pick every frame; nothing steps until it is legal
      this._stepAcc = 0;
    } else if (!this.paused) {
      this._stepAcc += this.stepsPerFrame;
      n = Math.floor(this._stepAcc + 1e-6);
      this._stepAcc = Math.max(0, this._stepAcc - n);
    }
    if (n > 0 || this._queued > 0) this._run(n);
    if (n > 0) this._countFps(ts);
  }

  // n steps (plus any queued single steps) one after another, then one render.
  _run(n) {
    let left = n + this._queued;
    this._queued = 0;
    this.busy = true;
    const done = () => { this.busy = false; this._frameDone(); };
    const fail = (e) => { this.busy = false; this._fail(e); };
    const next = () => {
      while (left > 0) {
        left -= 1;
        const p = this._step();
        if (p && typeof p.then === 'function') return p.then(next);
      }
      return null;
    };
    let pending;
    try {
      pending = next();
    } catch (e) {
      fail(e);
      return;
    }
    if (pending) pending.then(done, fail);
    else done();
  }

  _frameDone() {
    this.env.render(this.highlight);
    this.checkControl();
    this._checkTurn();
    this.emit('frame', this);
  }

  _countFps(ts) {
    this._fpsFrames += 1;
    if (!this._fpsSince) this._fpsSince = ts;
    if (ts - this._fpsSince >= 1000) {
      this.fps = (this._fpsFrames * 1000) / (ts - this._fpsSince);
      this._fpsFrames = 0;
      this._fpsSince = ts;
    }
  }

  _fail(e) {
    this.stop();
    this.emit('error', e);
  }

  // Actions of the policy for every agent; the baseline if it fails. May return a
  // Promise (async policy) or the array itself (sync policy: no extra frame latency).
  _policyActions() {
    const env = this.env;
    this._source = 'baseline';
    this._decidedBy = this.baseline;
    if (this.policy === this.baseline) return this.baseline.act(env.obs, env.info());
    const policy = this.policy;
    const fallback = (e) => {
      this._source = 'baseline';
      this._decidedBy = this.baseline;
      this.policyFailures += 1;
      if (this.policyFailures === 1 || this.policyFailures % 600 === 0) {
        console.warn(`policy ${this.policy.name} failed, using the baseline:`, e);
      }
      return this.baseline.act(env.obs, env.info());
    };
    const info = env.info();
    info.policyMode = this._mode;
    info.humanActive = this.humanActive;
    info.humanAgent = this.humanAgent;
    if (this._starts.length !== env.numAgents) this._starts = new Uint8Array(env.numAgents).fill(1);
    info.starts = this._starts;
    let out;
    try {
      out = policy.act(env.obs, info);
    } catch (e) {
      return fallback(e);
    } finally {
      this._starts.fill(0);  // read by act() at once
    }
    const check = (acts) => {
      if (!acts || acts.length !== env.numAgents * env.actionDim) return fallback(new Error('bad action count'));
      this.policyFailures = 0;
      this._source = policy.source || 'model';
      this._decidedBy = policy;
      return acts;
    };
    if (out && typeof out.then === 'function') return out.then(check, fallback);
    return check(out);
  }

  // One step and a render. Returns a Promise only when the policy is async.
  advance() {
    const p = this._step();
    if (p && typeof p.then === 'function') return p.then(() => this._frameDone());
    this._frameDone();
    return undefined;
  }

  // One step without rendering (the frame loop renders once per frame).
  _step() {
    const env = this.env;
    if (this.over) return null;
    if (this.turnBased) {
      this._checkTurn();
      if (this.awaitingHuman) return this._humanMove(this.turn);
    }
    // A model keeps running while the human drives (the policy view shows what it
    // would do; recurrent state stays current); the baseline is skipped then.
    const humanOnly = this.humanActive && env.numAgents === 1 && this.policy === this.baseline;
    if (humanOnly) return this._finish(null);
    const acts = this._policyActions();
    if (acts && typeof acts.then === 'function') return acts.then((a) => this._finish(a));
    return this._finish(acts);
  }

  // Turn-based: the human's pick for `agent` (keys, mouse, or a touch button's action,
  // used once); steps only on a legal one, else waits (returns null, nothing changes).
  _humanMove(agent) {
    const env = this.env;
    let choice = env.humanAction(agent);
    if (this._pendingPick !== null) {
      choice = this._pendingPick;
      this._pendingPick = null;
    }
    if (this._humanActionOverride !== null) {
      choice = this._humanActionOverride;
      this._humanActionOverride = null;
    }
    if (!env.isLegal(agent, choice)) return null;
    if (this.versus && agent !== this.humanAgent) this.tookOver = true;
    this._stepAcc = 0;  // the reply comes a full bot step later
    const play = (policyActions) => {
      const a = this._actions;
      a.fill(-1);  // the others are not to move: their actions are ignored
      a[agent] = choice;
      return this._apply(a, this._decide(policyActions, a, true), agent === this.humanAgent || !this.versus);
    };
    // A model still runs on the human's move (the policy view shows what it would have
    // played; a recurrent state stays current); the baseline is skipped.
    if (this.policy === this.baseline) return play(null);
    const acts = this._policyActions();
    if (acts && typeof acts.then === 'function') return acts.then(play);
    return play(acts);
  }

  _finish(policyActions) {
    const env = this.env;
    const a = this._actions;
    if (policyActions) a.set(policyActions);
    // Shift is read now, after any await: the freshest state decides who moves.
    const human = this.checkControl();
    const h = this.humanAgent;
    // Turn-based: the human took over the mover meanwhile; wait for their pick instead.
    // (raylib forgets key presses at the next frame: a pick made now is kept for it.)
    if (this.turnBased) {
      const t = env.mover();
      if (t >= 0 && this.drives(t)) {
        const choice = env.humanAction(t);
        if (env.isLegal(t, choice)) this._pendingPick = choice;
        return null;
      }
    }
    const pick = () => (this._humanActionOverride !== null ? this._humanActionOverride : env.humanAction(h));
    if (this.versus) {
      env.setAgentAction(a, h, pick());
      if (!policyActions) this._baselineOthers(a, h);
      if (human) this._takeOthers(a, h);
    } else if (human) {
      env.setAgentAction(a, h, pick());
    } else if (!policyActions) {
      a.set(this.baseline.act(env.obs, env.info()));
    }
    env.sanitizeActions(a, this.turnBased ? -1 : 0);
    return this._apply(a, this._decide(policyActions, a, human || this.versus), human || this.versus);
  }

  // Versus without a policy's actions: the baseline plays every side but the human's.
  _baselineOthers(a, h) {
    const env = this.env;
    const mine = env.continuous ? Float32Array.from(env.agentAction(a, h)) : a[h];
    a.set(this.baseline.act(env.obs, env.info()));
    env.setAgentAction(a, h, mine);
  }

  // Versus with Shift held: the human's keys drive the bot's side(s) too.
  _takeOthers(a, h) {
    for (let i = 0; i < this.env.numAgents; i++) {
      if (i !== h) this.env.setAgentAction(a, i, this.env.humanAction(i));
    }
    this.tookOver = true;
  }

  // Steps with actions `a` and does the bookkeeping; `human`: the human's agent was
  // driven by the human on this step.
  _apply(a, decision, human) {
    const env = this.env;
    const h = this.humanAgent;
    env.step(a);
    this._markStarts();
    this.totalSteps += 1;
    const r = env.rewards[h];
    if (human) {
      this.split.you += r;
      this.split.youSteps += 1;
      this.humanSteps += 1;
    } else {
      this.split.bot += r;
      this.split.botSteps += 1;
    }
    this.lastControl = human ? 'human' : 'bot';
    const stats = env.agentStats(h);
    if (stats.done) {
      this.lastSplit = this.split;
      this._resetSplit();
      const sp = this.lastSplit;
      this.lastEpisode = {
        score: stats.lastScore, return: stats.lastReturn, length: stats.lastLength,
        botSteps: sp.botSteps, youSteps: sp.youSteps, bot: sp.bot, you: sp.you,
        seed: this.seed, episode: stats.episodes, agent: h,
      };
      if (this.versus) {
        this.over = true;
        this.lastEpisode.versus = this._versusResult(stats);
      }
      this.emit('episode', this.lastEpisode);
    }
    this.lastDecision = decision;
    this.emit('step', decision);
  }

  // A finished versus game from the human's side: the env's scores of the two sides
  // compared. counted: the human played their side alone and never the bot's.
  _versusResult(stats) {
    const other = this.humanAgent === 0 ? 1 : 0;
    const mine = stats.lastScore;
    const theirs = this.env.agentStats(other).lastScore;
    let result = 'draw';
    if (mine > theirs) result = 'win';
    else if (mine < theirs) result = 'loss';
    return { side: this.humanAgent, result, counted: !this.tookOver };
  }

  // Agents whose episode just ended (terminal or truncation; the env reset them) start
  // a new one at the next observation.
  _markStarts() {
    const env = this.env;
    const t = env.terminals;
    const u = env.truncations;
    const starts = this._starts;
    for (let i = 0; i < starts.length && i < t.length; i++) {
      if (t[i] || u[i]) starts[i] = 1;
    }
  }

  // What decided this step: actions (all agents, as stepped), botActions (what the
  // policy chose, before the human's override; null if it did not run), probs
  // (numAgents x numActions) and values (numAgents) when a model decided, else null.
  // Continuous actions (actions in newActions() layout): means and stds (numAgents x
  // actionDim, the model's Gaussian) instead of probs.
  _decide(policyActions, actions, human) {
    const source = policyActions ? this._source : 'baseline';
    const by = policyActions ? this._decidedBy : this.baseline;
    const model = source !== 'baseline' ? by : null;
    const A = this.env.ActionArray;
    let botActions = null;
    if (policyActions) botActions = A.from(policyActions);
    else if (!human) botActions = A.from(actions);
    return {
      step: this.totalSteps,
      actions: A.from(actions),
      botActions,
      continuous: this.env.continuous,
      probs: (model && model.lastProbs) || null,
      means: (model && model.lastMeans) || null,
      stds: (model && model.lastStds) || null,
      values: (model && model.lastValues) || null,
      source,
      policy: by ? by.name : 'baseline',
      mode: this._mode,
      human,
      humanAgent: this.humanAgent,
    };
  }
}
