// Play page: the help overlay. Opens with ? (or H, or the ? button), closes with Esc,
// the close button or a click outside. The game pauses while it is open, and the other
// shortcuts wait (the key dispatcher's modal state).

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function build(page) {
  const spec = page.env.spec || {};
  const actions = (spec.action_names || []).map((a) => `<code>${esc(a)}</code>`).join(' ');
  const el = document.createElement('div');
  el.className = 'help-backdrop';
  el.id = 'help';
  el.hidden = true;
  el.innerHTML = `
    <div class="help-card" role="dialog" aria-modal="true" aria-labelledby="help-title" tabindex="-1">
      <div class="help-head">
        <h2 id="help-title">How ShiftPlay works</h2>
        <button type="button" class="help-close" id="help-close" aria-label="Close help">✕</button>
      </div>
      <p class="help-lead">A bot plays <b>${esc(spec.title || page.config.env)}</b>. Take over at any
        moment, from exactly where it is: hold <kbd>Shift</kbd> (on a touch screen, hold the
        <b>Hold to play</b> button or an arrow). Let go and the bot carries on the same episode.</p>
      <div class="help-cols">
        <section>
          <h3>Keys</h3>
          <table class="help-keys">
            <tr><td><kbd>Shift</kbd> (hold)</td><td>you play; release to hand back</td></tr>
            ${spec.controls ? `<tr><td>game keys</td><td>${esc(spec.controls)}</td></tr>` : ''}
            <tr><td><kbd>P</kbd></td><td>pause / resume</td></tr>
            <tr><td><kbd>N</kbd></td><td>one step (pauses)</td></tr>
            <tr><td><kbd>R</kbd></td><td>new game (new seed)</td></tr>
            <tr><td><kbd>[</kbd> <kbd>]</kbd></td><td>slower / faster (¼× – 8×)</td></tr>
            <tr><td><kbd>E</kbd></td><td>agent's-eye view on / off</td></tr>
            <tr><td><kbd>C</kbd></td><td>copy a link to this game</td></tr>
            <tr><td><kbd>?</kbd> <kbd>Esc</kbd></td><td>this help / close it</td></tr>
          </table>
          ${actions ? `<p class="help-note">Actions: ${actions}</p>` : ''}
        </section>
        <section>
          <h3>The panel</h3>
          <dl class="help-panel">
            <dt>In control</dt><dd><b class="c-bot">BOT</b> or <b class="c-you">YOU</b>: who picks the next action.</dd>
            <dt>Agent's eye</dt><dd>The observation the policy receives, drawn as it gets it: a grid, or one bar per value.</dd>
            <dt>Score</dt><dd>Reward summed over this episode; steps so far.</dd>
            <dt>Who earned it</dt><dd>The episode's reward split between the bot's steps and yours.</dd>
            <dt>Best scores</dt><dd>This browser's best finished episodes: you alone, together (both played), the bot alone.</dd>
            <dt>Speed, seed, link</dt><dd>Steps per frame; the seed replays the same game; the link carries seed, speed and mode.</dd>
          </dl>
        </section>
      </div>
    </div>`;
  document.body.appendChild(el);
  return el;
}

export function initHelp(page) {
  const { game, keys } = page;
  const button = document.getElementById('btn-help');
  let el = null;
  let wasPaused = false;
  let opener = null;

  function isOpen() { return !!el && !el.hidden; }

  function open() {
    if (!el) {
      el = build(page);
      el.addEventListener('click', (e) => { if (e.target === el) close(); });
      el.querySelector('#help-close').addEventListener('click', () => close());
    }
    if (isOpen()) return;
    opener = document.activeElement;
    wasPaused = game.paused;
    game.setPaused(true);
    el.hidden = false;
    keys.setModal('help');
    document.body.classList.add('help-open');
    if (button) button.setAttribute('aria-expanded', 'true');
    el.querySelector('.help-card').focus({ preventScroll: true });
  }

  function close() {
    if (!isOpen()) return;
    el.hidden = true;
    keys.setModal(null);
    document.body.classList.remove('help-open');
    if (button) button.setAttribute('aria-expanded', 'false');
    game.setPaused(wasPaused);
    const target = opener && opener !== document.body ? opener : document.getElementById('game-canvas');
    if (target && target.focus) target.focus({ preventScroll: true });
  }

  if (button) button.addEventListener('click', () => (isOpen() ? close() : open()));
  keys.bind(['Escape'], () => close(), { modal: true });
  keys.bind(['?', 'h'], () => (isOpen() ? close() : open()), { modal: true });
  return { open, close, isOpen };
}
