// The live policy view (panel box #policy-view): one bar per action with the trained
// policy's probabilities (softmax of its logits) for the highlighted agent (agent 0, the
// one Shift hands to the human), the chosen action highlighted, the value estimate, and
// a sampling toggle (game.policyMode). While the human drives, the model still runs: the
// bars show what the bot would do, and the human's actual action is marked.
// Also shows the model's download progress (the game's 'status' events, onnx_policy.js).
// Continuous actions (env.continuous): one row per action dimension over its range
// [low, high], with the model's mean ± std as a band around a tick, the value played by
// the bot marked, and while the human drives, the human's value next to what the bot
// would have played.

import { el } from './dom.js';

// The bars follow the steps at most VIEW_HZ times a second while the game runs (every
// repaint of the panel is composited with the whole page, which under software GL costs
// the game frames); a change of who acts or how, a pause and single steps show at once.
const VIEW_HZ = 15;

// Where v lies in [lo, hi], in percent, clipped to 0..100.
function rangePercent(lo, hi, v) {
  return 100 * Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
}

function mb(bytes) {
  return (bytes / 1e6).toFixed(bytes >= 1e7 ? 0 : 1);
}

export class PolicyView {
  constructor(root, game) {
    this.root = root;
    this.game = game;
    this.env = game.env;
    const env = this.env;
    this.agent = game.viewAgent || 0;
    const names = env.actionNames || [];
    this.names = [];
    const count = env.continuous ? env.actionDim : env.numActions;
    for (let k = 0; k < count; k++) this.names.push(names[k] || `action ${k}`);
    this.shown = {};
    this.pending = null;
    this.kind = '';
    this.shownAt = 0;
    this.state = 'none';
    this.message = '';
    this._build();
    this._off = [
      game.on('step', (d) => this.onStep(d)),
      game.on('frame', () => this.flush(false)),
      game.on('status', (s) => this.status(s)),
      game.on('mode', (mode) => { this.sample.checked = mode === 'sample'; }),
      game.on('reset', () => { this.agent = game.viewAgent || 0; }),
    ];
    this.status(game.policyStatus);
    if (game.lastDecision) this.update(game.lastDecision);
  }

  _build() {
    const r = this.root;
    r.textContent = '';
    r.classList.add('pv');
    const head = el('div', 'pv-head');
    head.append(el('span', 'stat-label', 'Policy view'));
    if (this.env.numAgents > 1) head.append(el('span', 'stat-note pv-agent', `agent ${this.agent}`));
    this.badge = el('span', 'pv-badge', 'baseline');
    this.badge.dataset.source = 'baseline';
    head.append(this.badge);

    this.load = el('div', 'pv-load');
    this.load.hidden = true;
    const loadText = el('div', 'pv-load-text');
    this.loadWhat = el('span', 'pv-load-what', 'Loading the trained policy');
    this.loadBytes = el('span', 'pv-load-bytes', '');
    loadText.append(this.loadWhat, this.loadBytes);
    const track = el('div', 'pv-load-track');
    this.loadFill = el('span', 'pv-load-fill');
    track.append(this.loadFill);
    this.load.append(loadText, track);
    this.load.setAttribute('role', 'progressbar');
    this.load.setAttribute('aria-valuemin', '0');
    this.load.setAttribute('aria-valuemax', '100');

    const bars = el('div', 'pv-bars');
    this.rows = this.env.continuous ? this._continuousRows(bars) : this.names.map((name, k) => {
      const row = el('div', 'pv-row');
      row.dataset.action = String(k);
      const fill = el('span', 'pv-fill');
      const barTrack = el('span', 'pv-track');
      barTrack.append(fill);
      const pct = el('span', 'pv-pct', '–');
      const tag = el('span', 'pv-tag', '');
      row.append(el('span', 'pv-name', name), barTrack, pct, tag);
      bars.append(row);
      return { row, fill, pct, tag, p: -1, cls: '' };
    });

    const foot = el('div', 'pv-foot');
    const valueWrap = el('span', 'pv-value-wrap', 'Value ');
    this.value = el('b', 'pv-value', '–');
    valueWrap.append(this.value);
    const sample = el('label', 'pv-sample');
    this.sample = el('input');
    this.sample.type = 'checkbox';
    this.sample.id = 'pv-sample';
    this.sample.disabled = true;
    this.sample.checked = this.game.policyMode === 'sample';
    this.sample.addEventListener('change', () => {
      this.game.policyMode = this.sample.checked ? 'sample' : 'argmax';
      this.sample.blur();
      const canvas = document.getElementById('game-canvas');
      if (canvas) canvas.focus({ preventScroll: true });
    });
    sample.append(this.sample, document.createTextNode(' Sample actions'));
    sample.title = this.env.continuous
      ? 'Off: the mean of each action value. On: draw from the Gaussian (mean ± std).'
      : 'Off: the most likely action (argmax). On: draw from the probabilities.';
    foot.append(valueWrap, sample);

    this.note = el('div', 'pv-note', 'The scripted baseline picks actions without probabilities.');
    r.append(head, this.load, bars, foot, this.note);
  }

  // Continuous actions: a row per dimension, its track spanning [low, high].
  _continuousRows(bars) {
    const env = this.env;
    return this.names.map((name, k) => {
      const row = el('div', 'pv-row pv-crow');
      row.dataset.action = String(k);
      const track = el('span', 'pv-track pv-ctrack');
      const lo = env.actionLow[k];
      const hi = env.actionHigh[k];
      const zero = el('span', 'pv-zero');
      zero.style.left = `${rangePercent(lo, hi, 0).toFixed(1)}%`;
      const band = el('span', 'pv-band');
      const mean = el('span', 'pv-mark pv-mean');
      const bot = el('span', 'pv-mark pv-botmark');
      const you = el('span', 'pv-mark pv-youmark');
      track.append(zero, band, mean, bot, you);
      const num = el('span', 'pv-pct pv-num', '–');
      row.append(el('span', 'pv-name', name), track, num);
      bars.append(row);
      return { row, band, mean, bot, you, num, lo, hi, shown: '' };
    });
  }

  // Position in a row's track, as a CSS percentage (clipped to the range).
  _at(r, v) {
    return `${rangePercent(r.lo, r.hi, v).toFixed(1)}%`;
  }

  _place(r, node, v) {
    node.hidden = !Number.isFinite(v);
    if (!node.hidden) node.style.left = this._at(r, v);
  }

  updateContinuous(d) {
    const a = this.agent;
    const D = this.names.length;
    const model = d.source === 'model' && d.means;
    const source = model ? 'model' : 'baseline';
    if (this.badge.dataset.source !== source) {
      this.badge.dataset.source = source;
      this.badge.textContent = model ? 'trained model' : 'baseline';
    }
    const fmt = (v) => (Number.isFinite(v) ? (v >= 0 ? ' ' : '') + v.toFixed(2) : '–');
    const botVals = [];
    const youVals = [];
    for (let k = 0; k < D; k++) {
      const r = this.rows[k];
      const m = model ? d.means[a * D + k] : NaN;
      const sd = model && d.stds ? d.stds[a * D + k] : NaN;
      const bot = d.botActions ? d.botActions[a * D + k] : NaN;
      const you = d.human ? d.actions[a * D + k] : NaN;
      botVals.push(bot);
      youVals.push(you);
      const key = [m, sd, bot, you].map((v) => (Number.isFinite(v) ? v.toFixed(3) : '-')).join();
      if (key === r.shown) continue;
      r.shown = key;
      this._place(r, r.mean, m);
      this._place(r, r.bot, bot);
      this._place(r, r.you, you);
      r.band.hidden = !(Number.isFinite(m) && Number.isFinite(sd));
      if (!r.band.hidden) {
        const left = rangePercent(r.lo, r.hi, m - sd);
        r.band.style.left = `${left.toFixed(1)}%`;
        r.band.style.width = `${(rangePercent(r.lo, r.hi, m + sd) - left).toFixed(1)}%`;
      }
      r.num.textContent = model ? `${fmt(m)} ± ${sd.toFixed(2)}` : fmt(bot);
      r.row.className = 'pv-row pv-crow' + (d.human ? ' human' : ' chosen');
    }
    const v = model && d.values ? d.values[a] : NaN;
    this._text('value', this.value, Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toFixed(2) : '–');
    const list = (vals) => this.names.map((n, k) => `${n} ${fmt(vals[k]).trim()}`).join(', ');
    this._note(d, !!model, {
      you: list(youVals), bot: d.botActions ? list(botVals) : null,
      chosen: `${d.mode === 'sample' ? 'Sampled' : 'Mean'}: ${list(botVals)}`,
      baseline: `Baseline: ${list(botVals)} (a script: no distribution)`,
    });
  }

  // The line under the bars: the human's action and the bot's, or the model's choice,
  // or why the baseline plays. texts: {you, bot (null: the bot did not run), chosen,
  // baseline}.
  _note(d, model, texts) {
    let note;
    if (d.human) {
      note = texts.bot !== null ? `You: ${texts.you} · the bot would: ${texts.bot}` : `You: ${texts.you}`;
    } else if (model) {
      note = texts.chosen;
    } else if (this.state === 'failed') {
      note = 'The trained policy is unavailable: the scripted baseline plays.';
    } else if (this.state === 'none' || this.state === 'off') {
      note = this.message;
    } else {
      note = texts.baseline;
    }
    this._text('note', this.note, note);
    this.root.dataset.human = d.human ? 'yes' : 'no';
  }

  _text(key, node, text) {
    if (this.shown[key] !== text) {
      this.shown[key] = text;
      node.textContent = text;
    }
  }

  // Download / start progress and failures of the model.
  status(s) {
    if (!s) return;
    this.state = s.state;
    if (s.state === 'loading') {
      this.load.hidden = false;
      const frac = s.total ? Math.min(1, s.loaded / s.total) : 0;
      this.loadFill.style.transform = `scaleX(${frac.toFixed(3)})`;
      this.load.setAttribute('aria-valuenow', String(Math.round(100 * frac)));
      this.loadWhat.textContent = s.phase === 'starting' ? 'Starting the trained policy' : 'Loading the trained policy';
      this.loadBytes.textContent = s.total ? `${mb(s.loaded)} / ${mb(s.total)} MB` : '';
    } else {
      this.load.hidden = true;
    }
    this.sample.disabled = s.state !== 'ready';
    if (s.state === 'none' || s.state === 'off') this.note.textContent = s.message;
    else if (s.state === 'failed') this.note.textContent = 'The trained policy is unavailable: the scripted baseline plays.';
    this.message = s.message || '';
    this.root.dataset.state = s.state;
  }

  onStep(d) {
    this.pending = d;
    const kind = `${d.source}:${d.human}:${d.mode}:${this.agent}`;
    const changed = kind !== this.kind;
    this.kind = kind;
    this.flush(changed || this.game.paused);
  }

  // Shows the latest step if one is waiting and it is time (or `now` says so).
  flush(now) {
    const t = performance.now();
    if (!this.pending || (!now && t - this.shownAt < 1000 / VIEW_HZ)) return;
    this.shownAt = t;
    const d = this.pending;
    this.pending = null;
    this.update(d);
  }

  update(d) {
    if (this.env.continuous) {
      this.updateContinuous(d);
      return;
    }
    const a = this.agent;
    const A = this.names.length;
    const model = d.source === 'model' && d.probs;
    const bot = d.botActions ? d.botActions[a] : -1;
    const you = d.human ? d.actions[a] : -1;
    const source = model ? 'model' : 'baseline';
    if (this.badge.dataset.source !== source) {
      this.badge.dataset.source = source;
      this.badge.textContent = model ? 'trained model' : 'baseline';
    }
    for (let k = 0; k < A; k++) {
      const r = this.rows[k];
      const p = model ? d.probs[a * A + k] : -1;
      const q = p < 0 ? -1 : Math.round(p * 1000) / 1000;
      if (q !== r.p) {
        r.p = q;
        r.fill.style.transform = `scaleX(${q < 0 ? 0 : q})`;
        r.pct.textContent = q < 0 ? '–' : `${Math.round(q * 100)}%`;
      }
      const cls = (k === bot ? ' chosen' : '') + (k === you ? ' human' : '');
      if (cls !== r.cls) {
        r.cls = cls;
        r.row.className = 'pv-row' + cls;
        r.tag.textContent = k === you ? 'you' : (k === bot ? 'bot' : '');
      }
    }
    const v = model && d.values ? d.values[a] : NaN;
    this._text('value', this.value, Number.isFinite(v) ? (v >= 0 ? '+' : '') + v.toFixed(2) : '–');
    const name = (k) => (k >= 0 ? this.names[k] : '–');
    const p = model && bot >= 0 ? d.probs[a * A + bot] : 0;
    this._note(d, !!model, {
      you: name(you), bot: bot >= 0 ? name(bot) : null,
      chosen: `${d.mode === 'sample' ? 'Sampled' : 'Most likely'}: ${name(bot)} (${Math.round(p * 100)}%)`,
      baseline: `Baseline: ${name(bot)} (a script: no probabilities)`,
    });
  }

  dispose() {
    for (const off of this._off) off();
  }
}

export function initPolicyView(page) {
  const root = document.getElementById('policy-view');
  return root ? new PolicyView(root, page.game) : null;
}
