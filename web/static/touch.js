// Play page: on-screen controls for touch screens, generated from spec.action_names.
//   - "Hold to play": while held, the human drives with the env's own mapping
//     (game.humanHeld: the same as holding Shift with no game key down);
//   - one button per action (arrows for UP/DOWN/LEFT/RIGHT, the name otherwise; the
//     spec's noop_action is left out): while pressed, the human drives with that action
//     (game.humanActionOverride).
// Shown on touch devices (or with ?touch=1); pointer and touch events, touch-action: none.
const ARROWS = {
  UP: { glyph: '▲', row: 0, col: 1 },
  DOWN: { glyph: '▼', row: 2, col: 1 },
  LEFT: { glyph: '◀', row: 1, col: 0 },
  RIGHT: { glyph: '▶', row: 1, col: 2 },
};

export function touchCapable() {
  const q = new URLSearchParams(location.search).get('touch');
  if (q === '1' || q === 'on') return true;
  if (q === '0' || q === 'off') return false;
  return (navigator.maxTouchPoints || 0) > 0 || 'ontouchstart' in window ||
    (window.matchMedia && window.matchMedia('(pointer: coarse)').matches);
}

// Calls onDown on the first press and onUp on the release (pointer or touch events,
// whichever come; each is idempotent).
function bindHold(el, onDown, onUp) {
  let pressed = false;
  const down = (e) => {
    if (e.cancelable) e.preventDefault();
    if (pressed) return;
    pressed = true;
    el.classList.add('pressed');
    onDown();
  };
  const up = (e) => {
    if (e && e.cancelable) e.preventDefault();
    if (!pressed) return;
    pressed = false;
    el.classList.remove('pressed');
    onUp();
  };
  el.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    try { el.setPointerCapture(e.pointerId); } catch (err) { /* synthetic pointer */ }
    down(e);
  });
  el.addEventListener('pointerup', up);
  el.addEventListener('pointercancel', up);
  el.addEventListener('lostpointercapture', up);
  el.addEventListener('touchstart', down, { passive: false });
  el.addEventListener('touchend', up, { passive: false });
  el.addEventListener('touchcancel', up, { passive: false });
  el.addEventListener('contextmenu', (e) => e.preventDefault());
  // Keyboard users can use the buttons too (Space/Enter held).
  el.addEventListener('keydown', (e) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) down(e); });
  el.addEventListener('keyup', (e) => { if (e.key === ' ' || e.key === 'Enter') up(e); });
  return { release: () => up(null), get pressed() { return pressed; } };
}

// The button for action a ({index, name}): held, it drives with that action.
function actionButton(a, cls, text) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'touch-btn ' + cls;
  b.dataset.action = String(a.index);
  b.dataset.name = a.name;
  b.textContent = text;
  return b;
}

export function initTouch(page) {
  const pad = document.getElementById('touch-pad');
  if (!pad) return null;
  const { game, env } = page;
  const names = env.spec.action_names || [];
  const noop = env.spec.noop_action;
  const held = [];  // pressed action buttons, latest last
  const holds = [];

  function applyOverride() {
    game.humanActionOverride = held.length ? held[held.length - 1] : null;
  }

  const arrows = [];
  const others = [];
  names.forEach((raw, index) => {
    const name = String(raw).toUpperCase();
    if (index === noop) return;
    (ARROWS[name] ? arrows : others).push({ name, index, raw: String(raw) });
  });

  const dirs = document.createElement('div');
  dirs.className = 'touch-dirs';
  if (arrows.length) {
    // Only the rows and columns in use: a pair, a row, or a full cross.
    const rows = [...new Set(arrows.map((a) => ARROWS[a.name].row))].sort();
    const cols = [...new Set(arrows.map((a) => ARROWS[a.name].col))].sort();
    dirs.style.gridTemplateRows = `repeat(${rows.length}, var(--touch-btn))`;
    dirs.style.gridTemplateColumns = `repeat(${cols.length}, var(--touch-btn))`;
    for (const a of arrows) {
      const b = actionButton(a, 'touch-dir', ARROWS[a.name].glyph);
      b.setAttribute('aria-label', a.raw.toLowerCase());
      b.style.gridRow = String(rows.indexOf(ARROWS[a.name].row) + 1);
      b.style.gridColumn = String(cols.indexOf(ARROWS[a.name].col) + 1);
      dirs.appendChild(b);
    }
  }
  for (const a of others) {
    dirs.appendChild(actionButton(a, 'touch-act', a.raw.replace(/_/g, ' ').toLowerCase()));
  }

  const take = document.createElement('button');
  take.type = 'button';
  take.className = 'touch-btn touch-take';
  take.id = 'btn-takeover';
  take.innerHTML = '<span class="touch-take-main">Hold to play</span><span class="touch-take-sub">release to hand back</span>';

  pad.textContent = '';
  if (dirs.childElementCount) pad.appendChild(dirs);
  pad.appendChild(take);

  holds.push(bindHold(take, () => {
    game.humanHeld = true;
    take.querySelector('.touch-take-main').textContent = 'You are playing';
  }, () => {
    game.humanHeld = false;
    take.querySelector('.touch-take-main').textContent = 'Hold to play';
  }));
  for (const b of dirs.querySelectorAll('.touch-btn')) {
    const index = Number(b.dataset.action);
    holds.push(bindHold(b, () => {
      const i = held.indexOf(index);
      if (i >= 0) held.splice(i, 1);
      held.push(index);
      applyOverride();
    }, () => {
      const i = held.indexOf(index);
      if (i >= 0) held.splice(i, 1);
      applyOverride();
    }));
  }
  const releaseAll = () => { for (const h of holds) h.release(); };
  window.addEventListener('blur', releaseAll);
  document.addEventListener('visibilitychange', () => { if (document.hidden) releaseAll(); });

  const show = (on) => {
    pad.hidden = !on;
    document.body.classList.toggle('has-touch', on);
    if (!on) releaseAll();
  };
  show(touchCapable());
  return { pad, show, releaseAll };
}

