// This browser's best scores per env, from finished episodes, kept in localStorage:
//   human   - the human played every step of the episode
//   handoff - both the bot and the human played
//   bot     - the bot alone (no human step)
// The score is the env's own (spec.score_name, e.g. points), else the episode return.
// Shown on the play page (#best-grid) and on the gallery cards. Generic over envs.
//
// Versus mode (versus.js) keeps the human-vs-bot record in the same board, under
// `versus`: {wins, losses, draws, assisted, at} - games the human played start to finish
// on their side; `assisted` counts finished games where the human also drove the bot's
// side (Shift), which are in none of the other three.
//
// Stored data is never trusted: every field is checked when read (clean()), and what is
// invalid is dropped alone - a bad date loses the date, a bad score loses that entry,
// unreadable JSON loses that env's board - so one odd value never stops the page.
import { el } from './dom.js';
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

export const VERSUS_COUNTS = ['wins', 'losses', 'draws', 'assisted'];

// The stored versus record, keeping only valid fields (a bad count reads as 0); null if
// it is not an object.
export function cleanVersus(raw) {
  if (!isObject(raw)) return null;
  const out = {};
  for (const key of VERSUS_COUNTS) out[key] = isCount(raw[key]) ? raw[key] : 0;
  if (isDate(raw.at)) out.at = raw.at;
  return out;
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
  const versus = cleanVersus(raw.versus);
  if (versus) board.versus = versus;
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

// Adds a finished versus game ({result: 'win' | 'loss' | 'draw', counted}) to env's
// record; returns the record.
export function recordVersus(env, game) {
  const board = load(env);
  const rec = board.versus || cleanVersus({});
  const key = !game.counted ? 'assisted' : { win: 'wins', loss: 'losses', draw: 'draws' }[game.result];
  if (!key) return rec;
  rec[key] = Math.min(Number.MAX_SAFE_INTEGER, rec[key] + 1);
  rec.at = new Date().toISOString();
  board.versus = rec;
  save(env, board);
  return rec;
}

// "3 W · 1 L · 0 D" and a title with the rest.
export function versusText(rec) {
  const r = rec || cleanVersus({});
  return `${r.wins} W · ${r.losses} L · ${r.draws} D`;
}

export function versusTitle(rec) {
  const r = rec || cleanVersus({});
  const parts = [`You vs the bot: ${r.wins} won, ${r.losses} lost, ${r.draws} drawn`];
  if (r.assisted) parts.push(`${r.assisted} not counted (you took over the bot's side)`);
  if (r.at) parts.push(`last ${r.at.slice(0, 10)}`);
  return parts.join(' · ');
}

function cellTitle(kind, entry) {
  const parts = [kind.title];
  if (entry && isCount(entry.length)) parts.push(`${entry.length} steps`);
  if (entry && entry.at) parts.push(entry.at.slice(0, 10));
  return parts.join(' · ');
}

// Fills `grid` with one cell per kind; returns the board shown.
export function render(grid, env, options) {
  const opts = options || {};
  const board = load(env);
  grid.textContent = '';
  for (const k of KINDS) {
    const b = board[k.key];
    const cell = el('div', `best best-${k.key}${b ? '' : ' empty'}`);
    cell.dataset.kind = k.key;
    cell.title = cellTitle(k, b);
    cell.append(el('span', 'best-label', k.label), el('b', 'best-value', b ? fmt(b.score) : '–'));
    if (opts.flash === k.key) cell.classList.add('flash');
    grid.appendChild(cell);
  }
  return board;
}

function hasAny(board) { return KINDS.some((k) => board[k.key]); }

function hasVersus(board) {
  return !!board.versus && VERSUS_COUNTS.some((k) => board.versus[k] > 0);
}

function cardRow(chipText) {
  const row = el('div', 'card-scores');
  row.appendChild(el('span', 'chip', chipText));
  return row;
}

// ---- play page ----
export function initScoreboard(page) {
  const grid = document.getElementById('best-grid');
  if (!grid) return null;
  const env = page.config.env;
  const note = document.getElementById('best-note');
  if (note) note.textContent = `${page.env.spec.score_name || 'score'} · this browser`;
  render(grid, env);
  const onEpisode = (ep) => {
    if (ep.versus) return null;  // versus games go to the versus record (versus.js)
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
    const body = card.querySelector('.card-body');
    if (!body) continue;
    const cta = body.querySelector('.card-cta');
    if (hasAny(board)) {
      const row = cardRow('best');
      const grid = el('div', 'best-grid small');
      render(grid, env);
      row.appendChild(grid);
      body.insertBefore(row, cta || null);
    }
    if (hasVersus(board)) {
      const row = cardRow('vs bot');
      row.classList.add('card-versus');
      row.title = versusTitle(board.versus);
      row.appendChild(el('b', 'versus-record', versusText(board.versus)));
      body.insertBefore(row, cta || null);
    }
  }
}
