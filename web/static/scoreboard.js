// This browser's best scores per env, from finished episodes, kept in localStorage:
//   human   - the human played every step of the episode
//   handoff - both the bot and the human played
//   bot     - the bot alone (no human step)
// The score is the env's own (spec.score_name, e.g. points), else the episode return.
// Shown on the play page (#best-grid) and on the gallery cards. Generic over envs.
//
// Stored data is never trusted: every field is checked when read (clean()), and what is
// invalid is dropped alone - a bad date loses the date, a bad score loses that entry,
// unreadable JSON loses that env's board - so one odd value never stops the page.
import { fmt } from './panel.js';

export const PREFIX = 'shiftplay.best.';
export const KINDS = [
  { key: 'human', label: 'You', title: 'You played the whole episode' },
  { key: 'handoff', label: 'Together', title: 'The bot and you both played' },
  { key: 'bot', label: 'Bot', title: 'The bot played alone' },
];

const isCount = (v) => Number.isSafeInteger(v) && v >= 0;
const isDate = (v) => typeof v === 'string' && v.length <= 40 && Number.isFinite(Date.parse(v));
// field -> check; `score` is required, the others are dropped alone when invalid.
const FIELDS = {
  score: Number.isFinite,
  return: Number.isFinite,
  length: isCount,
  youSteps: isCount,
  botSteps: isCount,
  seed: isCount,
  at: isDate,
};

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// One stored entry, keeping only valid fields; null if it has no valid score.
export function cleanEntry(raw) {
  if (!isObject(raw) || !Number.isFinite(raw.score)) return null;
  const out = {};
  for (const [key, ok] of Object.entries(FIELDS)) {
    if (ok(raw[key])) out[key] = raw[key];
  }
  return out;
}

// A stored board (parsed JSON): the valid entries of the known kinds.
export function clean(raw) {
  const board = {};
  if (!isObject(raw)) return board;
  for (const k of KINDS) {
    const entry = cleanEntry(raw[k.key]);
    if (entry) board[k.key] = entry;
  }
  return board;
}

export function load(env) {
  let text = null;
  try {
    text = localStorage.getItem(PREFIX + env);
  } catch (e) {
    return {};  // storage disabled
  }
  if (text === null) return {};
  try {
    return clean(JSON.parse(text));
  } catch (e) {
    console.warn(`[shiftplay] best scores of ${env} are unreadable and start afresh:`, e);
    return {};
  }
}

function save(env, board) {
  try {
    localStorage.setItem(PREFIX + env, JSON.stringify(board));
    return true;
  } catch (e) {
    return false;  // storage full or disabled: the scores live for this page only
  }
}

export function kindOf(ep) {
  if (!ep.youSteps) return 'bot';
  if (!ep.botSteps) return 'human';
  return 'handoff';
}

function scoreOf(ep) {
  return Number.isFinite(ep.score) ? ep.score : ep.return;
}

// Records a finished episode; returns {kind, best: true if it is a new best, score}.
export function record(env, ep) {
  if (!ep || !(ep.length > 0) || !(ep.botSteps + ep.youSteps > 0)) return null;
  const kind = kindOf(ep);
  const score = scoreOf(ep);
  if (!Number.isFinite(score)) return null;
  const board = load(env);
  const old = board[kind];
  const oldReturn = old && Number.isFinite(old.return) ? old.return : -Infinity;
  const better = !old || score > old.score ||
    (score === old.score && Number.isFinite(ep.return) && ep.return > oldReturn);
  if (better) {
    board[kind] = cleanEntry({
      score, return: ep.return, length: ep.length, youSteps: ep.youSteps, botSteps: ep.botSteps,
      seed: ep.seed, at: new Date().toISOString(),
    });
    save(env, board);
  }
  return { kind, best: better, score };
}

function cellTitle(kind, entry) {
  const parts = [kind.title];
  if (entry && isCount(entry.length)) parts.push(`${entry.length} steps`);
  if (entry && entry.at) parts.push(entry.at.slice(0, 10));
  return parts.join(' · ');
}

// Fills `el` with one cell per kind; returns the board shown.
export function render(el, env, options) {
  const opts = options || {};
  const board = load(env);
  el.textContent = '';
  for (const k of KINDS) {
    const b = board[k.key];
    const cell = document.createElement('div');
    cell.className = `best best-${k.key}${b ? '' : ' empty'}`;
    cell.dataset.kind = k.key;
    cell.title = cellTitle(k, b);
    const label = document.createElement('span');
    label.className = 'best-label';
    label.textContent = k.label;
    const value = document.createElement('b');
    value.className = 'best-value';
    value.textContent = b ? fmt(b.score) : '–';
    cell.appendChild(label);
    cell.appendChild(value);
    if (opts.flash === k.key) cell.classList.add('flash');
    el.appendChild(cell);
  }
  return board;
}

function hasAny(board) { return KINDS.some((k) => board[k.key]); }

// ---- play page ----
export function initScoreboard(page) {
  const grid = document.getElementById('best-grid');
  if (!grid) return null;
  const env = page.config.env;
  const note = document.getElementById('best-note');
  if (note) note.textContent = `${page.env.spec.score_name || 'score'} · this browser`;
  render(grid, env);
  const onEpisode = (ep) => {
    const r = record(env, ep);
    if (r) render(grid, env, { flash: r.best ? r.kind : null });
    return r;
  };
  page.game.on('episode', onEpisode);
  window.addEventListener('storage', (e) => { if (e.key === PREFIX + env) render(grid, env); });
  return {
    load: () => load(env),
    record: onEpisode,
    render: () => render(grid, env),
  };
}

// ---- gallery: a row of best scores on each card that has any ----
export function showOnCards(cards) {
  for (const card of cards) {
    const env = card.dataset.env;
    const board = load(env);
    if (!hasAny(board)) continue;
    const body = card.querySelector('.card-body');
    if (!body) continue;
    const row = document.createElement('div');
    row.className = 'card-scores';
    const head = document.createElement('span');
    head.className = 'chip';
    head.textContent = 'best';
    const grid = document.createElement('div');
    grid.className = 'best-grid small';
    render(grid, env);
    row.appendChild(head);
    row.appendChild(grid);
    const cta = body.querySelector('.card-cta');
    body.insertBefore(row, cta || null);
  }
}
