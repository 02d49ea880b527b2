// ShiftPlay browser runtime, generic over envs: everything it knows about an env comes
// from the module (web/build/<env>.js, built from web/wasm_entry.c) and its manifest
// entry (web/build/manifest.json). Nothing here names an env.
//
//   const env = await ShiftPlay.loadEnv(entry, {canvas});   // entry: manifest.envs[name]
//   env.create(seed); env.renderInit();
//   const game = new ShiftPlay.Game(env, {input: new ShiftPlay.ShiftInput()});
//   game.setPolicy(policy);   // optional: anything with act(obs, info) -> Int32Array|Promise
//   game.start();
//
// Frame loop (requestAnimationFrame): read input -> choose actions -> step -> render.
// A policy may be async (e.g. onnxruntime-web); the loop awaits it and never runs two
// steps at once. While Shift is held the human's agent takes the keys (env_human_action
// in C, through raylib's key state); every other agent, and the human's agent otherwise,
// follows the policy, falling back to the env's C baseline if the policy fails.
(function (global) {
  'use strict';

  const ShiftPlay = global.ShiftPlay || (global.ShiftPlay = {});
  const STAT = {
    RETURN: 0, LENGTH: 1, LAST_RETURN: 2, LAST_LENGTH: 3, LAST_SCORE: 4, LAST_PERF: 5,
    EPISODES: 6, DONE: 7,
  };

  const scripts = new Map();
  function loadScript(src) {
    if (!scripts.has(src)) {
      scripts.set(src, new Promise((resolve, reject) => {
        const el = document.createElement('script');
        el.src = src;
        el.async = true;
        el.onload = () => resolve();
        el.onerror = () => reject(new Error('could not load ' + src));
        document.head.appendChild(el);
      }));
    }
    return scripts.get(src);
  }

  // One instance of a built env: typed views over its wasm buffers and its exports.
  class WasmEnv {
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
      this._scratch = mod._malloc(4 * this.numAgents);
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
        this._actions = new Int32Array(buf, mod._sp_actions_ptr(), n);
        this._rewards = new Float32Array(buf, mod._sp_rewards_ptr(), n);
        this._terminals = new Uint8Array(buf, mod._sp_terminals_ptr(), n);
        this._truncations = new Uint8Array(buf, mod._sp_truncations_ptr(), n);
        this._stats = new Float32Array(buf, mod._sp_stats_ptr(), n * this.statsFields);
        this._scratchView = new Int32Array(buf, this._scratch, n);
        this._buffer = buf;
      }
    }

    get obs() { this._views(); return this._obs; }             // num_agents x obs_size
    get actions() { this._views(); return this._actions; }     // int32 per agent
    get rewards() { this._views(); return this._rewards; }
    get terminals() { this._views(); return this._terminals; }
    get truncations() { this._views(); return this._truncations; }

    agentObs(agent) {
      const o = this.obs;
      return o.subarray(agent * this.obsSize, (agent + 1) * this.obsSize);
    }

    // Writes `actions` (one int per agent) into wasm memory and steps once.
    step(actions) {
      this.actions.set(actions);
      this.mod._sp_step();
    }

    // The C baseline's actions for all agents, into `out` (Int32Array(num_agents)).
    baselineActions(out) {
      this.mod._sp_baseline_fill(this._scratch);
      this._views();
      out.set(this._scratchView);
      return out;
    }

    humanAction(agent) { return this.mod._sp_human_action(agent); }

    renderInit() {
      if (!this.windowOpen) {
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
      };
    }
  }

  // Loads web/build/<entry.js> and instantiates it on `canvas` (may be omitted).
  async function loadEnv(entry, options) {
    const opts = options || {};
    const base = opts.buildUrl || '/build/';
    const v = entry.version ? '?v=' + encodeURIComponent(entry.version) : '';
    await loadScript(base + entry.js + v);
    const factory = global[entry.export_name];
    if (typeof factory !== 'function') throw new Error('no module factory ' + entry.export_name);
    const mod = await factory({
      canvas: opts.canvas || null,
      locateFile: (file) => base + file + v,
      print: (text) => console.log(text),
      printErr: (text) => console.warn(text),
    });
    return new WasmEnv(mod, entry);
  }

  // The env's scripted baseline (C), for every agent. Synchronous; the loop accepts both.
  class BaselinePolicy {
    constructor(env) {
      this.env = env;
      this.name = 'baseline';
      this.label = 'Scripted baseline (C)';
      this._out = null;
    }

    act(obs, info) {
      if (!this._out || this._out.length !== info.numAgents) this._out = new Int32Array(info.numAgents);
      return this.env.baselineActions(this._out);
    }
  }

  // Which Shift keys are held. Releases everything on blur / hidden tab, and when a key
  // event says no Shift is down (a keyup lost outside the page).
  class ShiftInput {
    constructor(target) {
      this.target = target || global;
      this.down = new Set();
      this.listeners = [];
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
      this._on(global, 'blur', () => this.down.clear());
      this._on(document, 'visibilitychange', () => { if (document.hidden) this.down.clear(); });
    }

    _on(target, type, fn) {
      target.addEventListener(type, fn, true);
      this.listeners.push([target, type, fn]);
    }

    get held() { return this.down.size > 0; }

    dispose() {
      for (const [t, type, fn] of this.listeners) t.removeEventListener(type, fn, true);
      this.listeners = [];
      this.down.clear();
    }
  }

  // Runs an env: one step + one render per animation frame, at most stepsPerSecond.
  class Game {
    constructor(env, options) {
      const opts = options || {};
      this.env = env;
      this.input = opts.input || null;          // ShiftInput, or null: bot only
      this.humanAgent = opts.humanAgent || 0;   // the agent Shift hands to the human
      this.highlight = opts.highlight === undefined ? this.humanAgent : opts.highlight;
      this.stepsPerSecond = opts.stepsPerSecond || env.stepsPerSecond || 60;
      this.onFrame = opts.onFrame || null;      // called after each step
      this.onError = opts.onError || null;
      this.onPolicy = opts.onPolicy || null;    // called when the policy changes
      this.baseline = new BaselinePolicy(env);
      this.policy = this.baseline;
      this.policyFailures = 0;
      this.running = false;
      this.paused = false;
      this.busy = false;
      this.totalSteps = 0;
      this.humanSteps = 0;
      this.lastControl = 'bot';
      this._acc = 0;
      this._lastTs = null;
      this._raf = 0;
      this._actions = new Int32Array(env.numAgents);
      this._fpsFrames = 0;
      this._fpsSince = 0;
      this.fps = 0;
      this._resetSplit();
      this._tick = this._tick.bind(this);
    }

    _resetSplit() {
      this.split = { bot: 0, you: 0, botSteps: 0, youSteps: 0 };
    }

    // A policy: {name, label, act(obs, info) -> Int32Array | Promise<Int32Array>}.
    // null restores the baseline. obs is a view into wasm memory, valid until the
    // promise settles (steps wait for it); copy it to keep it.
    setPolicy(policy) {
      this.policy = policy || this.baseline;
      this.policyFailures = 0;
      if (this.onPolicy) this.onPolicy(this.policy);
    }

    get humanActive() { return !!(this.input && this.input.held); }

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

    setPaused(paused) { this.paused = !!paused; }

    reset(seed) {
      this.env.reset(seed);
      this._resetSplit();
      this.env.render(this.highlight);
      if (this.onFrame) this.onFrame(this);
    }

    _tick(ts) {
      if (!this.running) return;
      this._raf = requestAnimationFrame(this._tick);
      const dt = this._lastTs === null ? 1000 / 60 : ts - this._lastTs;
      this._lastTs = ts;
      if (this.paused || this.busy) return;
      const interval = 1000 / this.stepsPerSecond;
      this._acc = Math.min(this._acc + dt, 3 * interval);
      if (this._acc + 1 < interval) return;  // 1 ms slack for frame jitter
      this._acc = Math.max(0, this._acc - interval);
      this.busy = true;
      let pending;
      try {
        pending = this.advance();
      } catch (e) {
        this.busy = false;
        this._fail(e);
        return;
      }
      if (pending && typeof pending.then === 'function') {
        pending.then(() => { this.busy = false; }, (e) => { this.busy = false; this._fail(e); });
      } else {
        this.busy = false;
      }
      this._countFps(ts);
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
      console.error(e);
      if (this.onError) this.onError(e);
    }

    // Actions of the policy for every agent; the baseline if it fails. May return a
    // Promise (async policy) or the array itself (sync policy: no extra frame latency).
    _policyActions() {
      const env = this.env;
      if (this.policy === this.baseline) return this.baseline.act(env.obs, env.info());
      const fallback = (e) => {
        this.policyFailures += 1;
        if (this.policyFailures === 1 || this.policyFailures % 600 === 0) {
          console.warn(`policy ${this.policy.name} failed, using the baseline:`, e);
        }
        return this.baseline.act(env.obs, env.info());
      };
      let out;
      try {
        out = this.policy.act(env.obs, env.info());
      } catch (e) {
        return fallback(e);
      }
      const check = (acts) => {
        if (!acts || acts.length !== env.numAgents) return fallback(new Error('bad action count'));
        this.policyFailures = 0;
        return acts;
      };
      if (out && typeof out.then === 'function') return out.then(check, fallback);
      return check(out);
    }

    // One step: input -> actions -> step -> render. Returns a Promise only when the
    // policy is async.
    advance() {
      const env = this.env;
      const humanOnly = this.humanActive && env.numAgents === 1;
      if (humanOnly) return this._finish(null);
      const acts = this._policyActions();
      if (acts && typeof acts.then === 'function') return acts.then((a) => this._finish(a));
      return this._finish(acts);
    }

    _finish(policyActions) {
      const env = this.env;
      const a = this._actions;
      if (policyActions) a.set(policyActions);
      // Shift is read now, after any await: the freshest state decides who moves.
      const human = this.humanActive;
      const h = this.humanAgent;
      if (human) a[h] = env.humanAction(h);
      else if (!policyActions) a.set(this.baseline.act(env.obs, env.info()));
      for (let i = 0; i < a.length; i++) {
        if (!(a[i] >= 0 && a[i] < env.numActions)) a[i] = 0;
      }
      env.step(a);
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
      }
      env.render(this.highlight);
      if (this.onFrame) this.onFrame(this, stats);
    }
  }

  Object.assign(ShiftPlay, { loadEnv, loadScript, WasmEnv, BaselinePolicy, ShiftInput, Game, STAT });
})(window);
