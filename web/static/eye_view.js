// Play page: the agent's-eye view, the observation the policy receives (the human's
// agent's), drawn on a small 2D canvas beside the game and redrawn once per frame when
// it changed, at most EYE_HZ times a second while the game runs (every step when paused
// or stepped). Generic, from the spec alone:
//   - a uint8 grid (obs_height x obs_width): one colored cell per value (legend below);
//   - a float grid (obs_height > 1): a heat map;
//   - a float vector: labelled bars (spec.obs_labels, range obs_low..obs_high); labels of
//     the form name_R_C become a mini-grid per name, name_K (8 or more) a strip; without
//     labels a long vector is drawn as a wrapped heat strip.
// Toggle: the eye button or the E key; the choice is kept in localStorage.
const STORE = 'shiftplay.eye';
// Under software GL each redraw of this canvas is rasterized and composited with the whole
// page: 60 redraws a second cost the game a fifth of its frame rate.
const EYE_HZ = 20;
// Drawn by the CPU, not the GPU: a GPU-backed 2D canvas needs its own GPU context, and
// creating it, just after the game's first frame, waited for a busy software-rendered GPU
// for up to a second (the page's main thread with it, and the model's takeover). A canvas
// this small costs the CPU next to nothing, whatever the GPU.
const CANVAS_2D = { willReadFrequently: true };
const PALETTE = ['#0b0e19', '#5ee39a', '#4a5273', '#54d6ff', '#ffb547', '#ff6b7a', '#b18cff',
  '#f5f6fa', '#3aa17e', '#e0d25c', '#6d7cff', '#ff9ad5'];
const POS = [84, 214, 255];
const NEG = [255, 107, 122];
const BG = [11, 14, 25];
const FONT = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

// Each observation value's [low, high], from the spec's obs_groups (a [0, 1] feature
// fills its bar at 1, whatever the other features' ranges); obs_low / obs_high where a
// value is in no group.
export function featureRanges(spec, n, lo, hi) {
  const low = new Float32Array(n).fill(lo);
  const high = new Float32Array(n).fill(hi);
  for (const g of spec.obs_groups || []) {
    if (!(g.high > g.low)) continue;
    for (let i = Math.max(0, g.start); i < Math.min(n, g.start + g.count); i++) {
      low[i] = g.low;
      high[i] = g.high;
    }
  }
  return { low, high };
}

function mix(a, b, t) {
  const u = Math.max(0, Math.min(1, t));
  return `rgb(${Math.round(a[0] + (b[0] - a[0]) * u)},${Math.round(a[1] + (b[1] - a[1]) * u)},${Math.round(a[2] + (b[2] - a[2]) * u)})`;
}

// Heat color of x in [lo, hi]: blue for the positive side, red for the negative side.
function heat(x, lo, hi) {
  if (!Number.isFinite(x)) return '#000';
  if (lo < 0 && hi > 0) return x >= 0 ? mix(BG, POS, x / hi) : mix(BG, NEG, x / lo);
  return mix(BG, POS, hi > lo ? (x - lo) / (hi - lo) : 0);
}

function categoryColor(k) {
  if (k >= 0 && k < PALETTE.length) return PALETTE[k];
  return `hsl(${(k * 47) % 360} 70% 60%)`;
}

// What to draw, from the spec: {kind: 'grid', ...} or {kind: 'vector', bars, grids}.
export function plan(env) {
  const spec = env.spec || {};
  const n = env.obsSize;
  const H = spec.obs_height || 1;
  const W = spec.obs_width || n;
  const lo = Number.isFinite(spec.obs_low) ? spec.obs_low : (env.obsDtype === 'uint8' ? 0 : -1);
  const hi = Number.isFinite(spec.obs_high) ? spec.obs_high : (env.obsDtype === 'uint8' ? 255 : 1);
  const range = featureRanges(spec, n, lo, hi);
  const labels = Array.isArray(spec.obs_labels) && spec.obs_labels.length === n ? spec.obs_labels : null;
  if (H * W === n && (H > 1 || (env.obsDtype === 'uint8' && !labels))) {
    const categorical = env.obsDtype === 'uint8' && hi - lo <= PALETTE.length - 1;
    return { kind: 'grid', rows: H, cols: W, lo, hi, categorical, range, note: `${H}×${W} ${env.obsDtype}` };
  }
  const bars = [];
  const grids = [];
  if (labels) {
    const cells = new Map();  // name -> [{i, r, c}]
    const strips = new Map(); // name -> [{i, k}]
    labels.forEach((label, i) => {
      let m = /^(.+?)_(\d+)_(\d+)$/.exec(label);
      if (m) {
        if (!cells.has(m[1])) cells.set(m[1], []);
        cells.get(m[1]).push({ i, r: Number(m[2]), c: Number(m[3]) });
        return;
      }
      m = /^(.+?)_(\d+)$/.exec(label);
      if (m) {
        if (!strips.has(m[1])) strips.set(m[1], []);
        strips.get(m[1]).push({ i, k: Number(m[2]) });
      }
    });
    const grouped = new Set();
    for (const [name, list] of cells) {
      if (list.length < 4) continue;
      const rows = 1 + Math.max(...list.map((x) => x.r));
      const cols = 1 + Math.max(...list.map((x) => x.c));
      if (rows * cols > 4 * list.length) continue;  // too sparse to be a grid
      const index = new Int32Array(rows * cols).fill(-1);
      for (const x of list) { index[x.r * cols + x.c] = x.i; grouped.add(x.i); }
      grids.push({ name, rows, cols, index });
    }
    for (const [name, list] of strips) {
      if (list.length < 8) continue;
      const cols = 1 + Math.max(...list.map((x) => x.k));
      if (cols > 2 * list.length) continue;
      const index = new Int32Array(cols).fill(-1);
      for (const x of list) { index[x.k] = x.i; grouped.add(x.i); }
      grids.push({ name, rows: 1, cols, index });
    }
    labels.forEach((label, i) => { if (!grouped.has(i)) bars.push({ i, label }); });
  } else if (n > 48) {
    const cols = Math.min(24, Math.ceil(Math.sqrt(n * 2)));
    const rows = Math.ceil(n / cols);
    const index = new Int32Array(rows * cols).fill(-1);
    for (let i = 0; i < n; i++) index[i] = i;
    grids.push({ name: `obs[0..${n - 1}]`, rows, cols, index });
  } else {
    for (let i = 0; i < n; i++) bars.push({ i, label: `obs[${i}]` });
  }
  const parts = [];
  if (bars.length) parts.push(`${bars.length} value${bars.length > 1 ? 's' : ''}`);
  for (const g of grids) parts.push(`${g.name} ${g.rows > 1 ? g.rows + '×' : ''}${g.cols}`);
  return { kind: 'vector', bars, grids, lo, hi, range, spec, note: `${n} ${env.obsDtype}`, detail: parts.join(' + ') };
}

export class EyeView {
  constructor(env, canvas, options) {
    const opts = options || {};
    this.env = env;
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', CANVAS_2D);
    this.agent = opts.agent || 0;
    this.plan = plan(env);
    this.width = 0;
    this.height = 0;
    this.dpr = 1;
    this._static = null;
    this.draws = 0;
  }

  // Sizes the canvas to its CSS width (device pixels) and draws the static layer.
  layout(cssWidth) {
    const w = Math.max(160, Math.floor(cssWidth));
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const p = this.plan;
    let h;
    if (p.kind === 'grid') {
      const cell = Math.max(4, Math.floor(Math.min(w / p.cols, 240 / p.rows)));
      p.cell = [cell, cell];
      p.origin = [Math.floor((w - cell * p.cols) / 2), 0];
      h = cell * p.rows;
    } else {
      const rowH = p.bars.length > 24 ? 13 : 18;
      p.rowH = rowH;
      p.labelW = Math.min(110, Math.floor(w * 0.36));
      p.valueW = 44;
      let y = 0;
      p.barsY = y;
      y += p.bars.length * rowH;
      for (const g of p.grids) {
        y += p.bars.length || g !== p.grids[0] ? 8 : 0;
        g.titleY = y;
        y += 16;
        const cw = Math.max(2, Math.floor(w / g.cols));
        const ch = g.rows === 1 ? Math.min(18, cw * 2) : Math.max(4, Math.min(cw, Math.floor(160 / g.rows)));
        g.cell = [cw, ch];
        g.x0 = Math.floor((w - cw * g.cols) / 2);
        g.y0 = y;
        y += ch * g.rows;
      }
      h = Math.max(20, y);
    }
    if (w === this.width && h === this.height && dpr === this.dpr) return;
    this.width = w;
    this.height = h;
    this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.canvas.style.height = `${h}px`;
    this._drawStatic();
  }

  _drawStatic() {
    const p = this.plan;
    const c = document.createElement('canvas');
    c.width = this.canvas.width;
    c.height = this.canvas.height;
    const g = c.getContext('2d', CANVAS_2D);
    g.scale(this.dpr, this.dpr);
    g.font = FONT;
    g.textBaseline = 'middle';
    if (p.kind === 'vector') {
      const trackX = p.labelW + 6;
      const trackW = this.width - trackX - p.valueW;
      p.bars.forEach((b, k) => {
        const y = p.barsY + k * p.rowH;
        g.fillStyle = '#8d94ae';
        g.fillText(fitText(g, b.label, p.labelW), 0, y + p.rowH / 2);
        g.fillStyle = '#1b2036';
        roundRect(g, trackX, y + 4, trackW, p.rowH - 8, 3);
        const lo = p.range.low[b.i];
        const hi = p.range.high[b.i];
        if (lo < 0 && hi > 0) {
          g.fillStyle = '#3a4370';
          g.fillRect(trackX + trackW * (-lo / (hi - lo)), y + 2, 1, p.rowH - 4);
        }
      });
      p.trackX = trackX;
      p.trackW = trackW;
      for (const grid of p.grids) {
        g.fillStyle = '#8d94ae';
        g.fillText(grid.name, 0, grid.titleY + 8);
      }
    }
    this._static = c;
  }

  draw() {
    if (!this.width) return;
    const ctx = this.ctx;
    const p = this.plan;
    const obs = this.env.agentObs(this.agent);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this._static, 0, 0);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    if (p.kind === 'grid') {
      const [cw, ch] = p.cell;
      const gap = cw >= 8 ? 1 : 0;
      for (let r = 0; r < p.rows; r++) {
        for (let c = 0; c < p.cols; c++) {
          const v = obs[r * p.cols + c];
          ctx.fillStyle = p.categorical ? categoryColor(Math.round(v - p.lo)) : heat(v, p.lo, p.hi);
          ctx.fillRect(p.origin[0] + c * cw, p.origin[1] + r * ch, cw - gap, ch - gap);
        }
      }
    } else {
      ctx.font = FONT;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'right';
      p.bars.forEach((b, k) => {
        const y = p.barsY + k * p.rowH;
        const v = obs[b.i];
        const lo = p.range.low[b.i];
        const hi = p.range.high[b.i];
        const zero = lo < 0 && hi > 0 ? 0 : lo;
        const x0 = p.trackX + p.trackW * ((zero - lo) / (hi - lo));
        const t = Math.max(lo, Math.min(hi, Number.isFinite(v) ? v : 0));
        const x1 = p.trackX + p.trackW * ((t - lo) / (hi - lo));
        ctx.fillStyle = v < 0 ? '#ff6b7a' : '#54d6ff';
        ctx.fillRect(Math.min(x0, x1), y + 5, Math.max(1, Math.abs(x1 - x0)), p.rowH - 10);
        ctx.fillStyle = '#e7e9f2';
        ctx.fillText(Number.isFinite(v) ? v.toFixed(2) : String(v), this.width, y + p.rowH / 2);
      });
      for (const g of p.grids) {
        const [cw, ch] = g.cell;
        const gap = cw >= 6 && ch >= 6 ? 1 : 0;
        for (let r = 0; r < g.rows; r++) {
          for (let c = 0; c < g.cols; c++) {
            const i = g.index[r * g.cols + c];
            if (i < 0) continue;
            ctx.fillStyle = heat(obs[i], p.range.low[i], p.range.high[i]);
            ctx.fillRect(g.x0 + c * cw, g.y0 + r * ch, cw - gap, ch - gap);
          }
        }
      }
    }
    this.draws += 1;
  }
}

function fitText(g, text, width) {
  if (g.measureText(text).width <= width) return text;
  let t = text;
  while (t.length > 1 && g.measureText(t + '…').width > width) t = t.slice(0, -1);
  return t + '…';
}

function roundRect(g, x, y, w, h, r) {
  g.beginPath();
  g.moveTo(x + r, y);
  g.arcTo(x + w, y, x + w, y + h, r);
  g.arcTo(x + w, y + h, x, y + h, r);
  g.arcTo(x, y + h, x, y, r);
  g.arcTo(x, y, x + w, y, r);
  g.closePath();
  g.fill();
}

function legend(el, p, spec) {
  el.textContent = '';
  if (p.kind !== 'grid' || !p.categorical) {
    el.hidden = true;
    return;
  }
  const names = Array.isArray(spec.obs_value_names) ? spec.obs_value_names : null;
  for (let v = p.lo; v <= p.hi; v++) {
    const item = document.createElement('span');
    const sw = document.createElement('i');
    sw.style.background = categoryColor(v - p.lo);
    item.appendChild(sw);
    item.appendChild(document.createTextNode(names && names[v - p.lo] ? names[v - p.lo] : String(v)));
    el.appendChild(item);
  }
  el.hidden = false;
}

export function initEyeView(page) {
  const $ = (id) => document.getElementById(id);
  const card = $('eye-card');
  const canvas = $('eye-canvas');
  const button = $('btn-eye');
  if (!card || !canvas) return;
  const { game, env, keys } = page;
  const view = new EyeView(env, canvas, { agent: game.viewAgent });
  const note = $('eye-note');
  const showNote = () => {
    if (!note) return;
    note.textContent = view.plan.note + (env.numAgents > 1 ? ` · agent ${view.agent}` : '');
    note.title = view.plan.detail || view.plan.note;
  };
  showNote();
  game.on('reset', () => {
    view.agent = game.viewAgent;
    showNote();
  });
  const legendEl = $('eye-legend');
  if (legendEl) legend(legendEl, view.plan, env.spec);

  let on = false;
  let raf = 0;
  let seen = '';
  let drawnAt = 0;
  const signature = () => {
    const s = env.agentStats(game.humanAgent);
    return `${game.totalSteps}:${game.seed}:${s.episodes}:${s.episodeLength}`;
  };
  const frame = () => {
    raf = 0;
    if (!on) return;
    raf = requestAnimationFrame(frame);
    const sig = signature();
    const now = performance.now();
    if (sig !== seen && (game.paused || now - drawnAt >= 1000 / EYE_HZ)) {
      seen = sig;
      drawnAt = now;
      view.draw();
    }
  };
  const relayout = () => {
    if (!on) return;
    view.layout(canvas.clientWidth || card.clientWidth - 32);
    seen = '';
  };
  function set(value, remember) {
    on = !!value;
    card.hidden = !on;
    if (button) {
      button.setAttribute('aria-pressed', on ? 'true' : 'false');
      button.classList.toggle('active', on);
    }
    if (remember) {
      try { localStorage.setItem(STORE, on ? 'on' : 'off'); } catch (e) { /* private mode */ }
    }
    if (on) {
      relayout();
      view.draw();
      seen = signature();
      if (!raf) raf = requestAnimationFrame(frame);
    } else if (raf) {
      cancelAnimationFrame(raf);
      raf = 0;
    }
  }
  if (typeof ResizeObserver === 'function') new ResizeObserver(relayout).observe(card);
  else window.addEventListener('resize', relayout);

  let stored = null;
  try { stored = localStorage.getItem(STORE); } catch (e) { stored = null; }
  set(stored === null ? true : stored === 'on', false);
  if (button) button.addEventListener('click', () => { set(!on, true); button.blur(); });
  keys.bind(['e', 'KeyE'], () => set(!on, true));
  return { view, set, get on() { return on; } };
}

