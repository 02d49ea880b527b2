// Versus mode on the play page: the human plays one side of a two-sided env for the whole
// game, the trained agent (else the scripted baseline) the other. Generic: which envs
// can, and how a side maps to agents, come from the spec (envs/env.h: versus_sides,
// versus_param, side_names, turn_based). /play/<env>?mode=versus&side=1 opens it.
//
// - The env is created with its versus_param set to 1 (play_page.js, versusParams);
//   side i is agent i, and game.humanAgent is the human's side.
// - The side picker and the swap button start a new game on the chosen side; a game left
//   unfinished (new game, swap, reload) counts for nobody.
// - A finished game stays on screen; the next one starts after NEXT_GAME_MS, or at once
//   with New game (R).
// - Record (scoreboard.js, this browser): a game counts as a win, loss or draw only if the
//   human played their side start to finish and never took over the bot's side with Shift;
//   games with a takeover are counted apart as "not counted".
import { el } from './dom.js';
import { PREFIX, recordVersus, load, versusText, versusTitle } from './scoreboard.js';
import { urlFor, VERSUS } from './url_state.js';

export const NEXT_GAME_MS = 2500;

// {sides, param, names} for an env whose spec allows versus play, else null.
export function versusSpec(spec) {
  if (!spec || !(spec.versus_sides >= 2) || typeof spec.versus_param !== 'string') return null;
  const params = spec.params || [];
  if (!params.some((p) => p.name === spec.versus_param)) return null;
  const names = [];
  for (let i = 0; i < spec.versus_sides; i++) {
    const n = spec.side_names && spec.side_names[i];
    names.push(typeof n === 'string' && n ? n : `side ${i + 1}`);
  }
  return { sides: spec.versus_sides, param: spec.versus_param, names };
}

// The env's params for versus play: the defaults with versus_param = 1.
export function versusParams(spec) {
  return (spec.params || []).map((p) => (p.name === spec.versus_param ? 1 : p.default));
}

function randomSeed() { return Math.floor(Math.random() * 2 ** 31); }

const RESULT_TEXT = { win: 'You won', loss: 'The bot won', draw: 'Draw' };

// The card in the panel: sides, swap, status, record. Returns the page's versus handle.
export function initVersus(page) {
  const card = document.getElementById('versus-card');
  const vs = page.versusSpec;
  if (!card) return null;
  const { game, env } = page;
  const name = page.config.env;
  if (!vs) {
    // An env that allows versus play offers it; the link reloads the page in that mode.
    const info = versusSpec(env.spec);
    if (info) {
      card.hidden = false;
      card.textContent = '';
      card.appendChild(el('div', 'stat-label', 'Versus'));
      const a = el('a', 'versus-link', 'Play against the bot');
      a.id = 'versus-link';
      a.href = urlFor({ mode: VERSUS, side: 0, seed: null });
      card.appendChild(a);
    }
    return null;
  }

  card.hidden = false;
  card.textContent = '';
  const head = el('div', 'split-head');
  head.appendChild(el('span', '', 'Versus'));
  const leave = el('a', 'stat-note versus-leave', 'leave');
  leave.href = urlFor({ mode: null, side: null, seed: null });
  leave.title = 'Back to watching the bot (Shift to take over)';
  head.appendChild(leave);
  card.appendChild(head);

  const picker = el('div', 'versus-sides');
  picker.setAttribute('role', 'radiogroup');
  picker.setAttribute('aria-label', 'Your side');
  const buttons = vs.names.map((label, i) => {
    const b = el('button', 'versus-side', label);
    b.type = 'button';
    b.dataset.side = String(i);
    b.setAttribute('role', 'radio');
    b.addEventListener('click', () => { playSide(i); refocus(b); });
    picker.appendChild(b);
    return b;
  });
  card.appendChild(picker);
  const swap = el('button', 'versus-swap', 'Swap sides');
  swap.type = 'button';
  swap.id = 'btn-swap';
  swap.title = 'Play the other side, from a new game';
  swap.addEventListener('click', () => { swapSides(); refocus(swap); });
  card.appendChild(swap);
  const status = el('div', 'versus-status');
  status.id = 'versus-status';
  status.setAttribute('role', 'status');
  card.appendChild(status);
  const recordRow = el('div', 'versus-record-row');
  recordRow.appendChild(el('span', 'stat-label', 'You vs bot'));
  const record = el('b', 'versus-record');
  record.id = 'versus-record';
  recordRow.appendChild(record);
  card.appendChild(recordRow);
  const note = el('div', 'stat-note versus-note');
  note.id = 'versus-note';
  card.appendChild(note);

  let nextTimer = 0;
  let result = null;

  function refocus(b) {
    if (b && b.blur) b.blur();
    page.canvas.focus({ preventScroll: true });
  }

  function otherSide() { return (game.humanAgent + 1) % vs.sides; }

  function showRecord() {
    const rec = load(name).versus;
    record.textContent = versusText(rec);
    record.title = versusTitle(rec);
    note.textContent = rec && rec.assisted
      ? `${rec.assisted} game(s) not counted: you took over the bot's side`
      : 'Counted: games you play start to finish without taking over the bot (Shift).';
  }

  function showStatus() {
    let text;
    if (result) {
      text = `${RESULT_TEXT[result.result]}${result.counted ? '' : ' (not counted: you took over the bot)'} · next game soon`;
    } else if (game.turnBased) {
      if (game.turn < 0) text = '…';
      else if (game.turn === game.humanAgent) text = 'Your move';
      else text = game.humanActive ? "Your move (for the bot's side)" : 'The bot is thinking…';
    } else {
      text = `You: ${vs.names[game.humanAgent]} · Bot: ${vs.names[otherSide()]}`;
    }
    if (status.textContent !== text) status.textContent = text;
    status.classList.toggle('your-move', !result && game.awaitingHuman);
  }

  function showSides() {
    buttons.forEach((b, i) => {
      const on = i === game.humanAgent;
      b.classList.toggle('on', on);
      b.setAttribute('aria-checked', on ? 'true' : 'false');
    });
    swap.textContent = `Swap: play ${vs.names[otherSide()]}`;
  }

  // A new game with the human on `side`.
  function playSide(side) {
    if (!(side >= 0 && side < vs.sides)) return;
    game.humanAgent = side;
    game.highlight = side;
    newGame();
  }

  function swapSides() {
    playSide(otherSide());
    if (page.say) page.say(`You play the ${vs.names[game.humanAgent]}`);
  }

  function newGame() {
    clearTimeout(nextTimer);
    game.reset(randomSeed());
  }

  game.on('reset', () => {
    clearTimeout(nextTimer);
    result = null;
    showSides();
    showStatus();
  });
  game.on('episode', (ep) => {
    if (!ep.versus) return;
    result = ep.versus;
    recordVersus(name, ep.versus);
    showRecord();
    showStatus();
    if (page.say) page.say(RESULT_TEXT[result.result]);
    clearTimeout(nextTimer);
    nextTimer = setTimeout(newGame, NEXT_GAME_MS);
  });
  game.on('turn', showStatus);
  game.on('control', showStatus);
  window.addEventListener('storage', (e) => { if (e.key === PREFIX + name) showRecord(); });

  showSides();
  showStatus();
  showRecord();
  return { spec: vs, playSide, swapSides, newGame, showRecord, get result() { return result; } };
}
