// The play page's side panel and stage bar: who is in control (at once, on the game's
// 'control' event), score, episode, steps, the bot/you split, the last episode, fps and
// the policy's name. Generic: names come from the spec.
const $ = (id) => document.getElementById(id);

export function fmt(x) {
  if (!Number.isFinite(x)) return '–';
  const r = Math.round(x * 100) / 100;
  return (Object.is(r, -0) ? 0 : r).toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function signed(x) {
  const s = fmt(x);
  return x > 0 ? '+' + s : s;
}

// The panel is redrawn at most PANEL_HZ times a second (repaints cost more than the
// game on software-rendered GPUs); who is in control is shown at once.
const PANEL_HZ = 12;

export function initPanel(page) {
  const { game, env } = page;
  const wrap = $('canvas-wrap');
  const shown = {};
  const setText = (id, text) => {
    if (shown[id] !== text) {
      shown[id] = text;
      $(id).textContent = text;
    }
  };

  function showControl(human) {
    for (const el of [$('control-card'), wrap, $('stage-bar')]) {
      el.classList.toggle('you', human);
      el.classList.toggle('bot', !human);
    }
    $('control').textContent = human ? 'YOU' : 'BOT';
    $('canvas-tag').textContent = human ? 'YOU' : 'BOT';
    $('stage-status').textContent = human ? 'You are playing' : 'The bot is playing';
    $('stage-key').innerHTML = human
      ? 'release <kbd>Shift</kbd> to hand back'
      : 'hold <kbd>Shift</kbd> to take over';
    $('control-sub').innerHTML = human
      ? 'Release <kbd>Shift</kbd> to hand back'
      : 'Hold <kbd>Shift</kbd> to play';
  }

  function update() {
    const s = env.agentStats(game.humanAgent);
    setText('stat-score', signed(s.episodeReturn));
    setText('stat-episode', String(s.episodes + 1));
    setText('stat-steps', String(s.episodeLength));
    const sp = game.split;
    setText('split-bot', signed(sp.bot));
    setText('split-you', signed(sp.you));
    setText('split-bot-steps', `${sp.botSteps} steps`);
    setText('split-you-steps', `${sp.youSteps} steps`);
    const total = sp.botSteps + sp.youSteps;
    const youPct = total ? (100 * sp.youSteps) / total : 0;
    const youBar = `${youPct.toFixed(1)}%`;
    if (shown.youBar !== youBar) {
      shown.youBar = youBar;
      $('split-you-bar').style.width = youBar;
      $('split-bot-bar').style.width = `${(100 - youPct).toFixed(1)}%`;
    }
    if (s.episodes > 0) {
      const name = env.spec.score_name || 'score';
      let text = `${name}: ${fmt(s.lastScore)} · return ${signed(s.lastReturn)} · ${s.lastLength} steps`;
      if (game.lastSplit) text += ` · you played ${game.lastSplit.youSteps}`;
      setText('last-body', text);
    }
    setText('fps', game.fps ? String(Math.round(game.fps)) : '–');
  }

  let panelAt = 0;
  game.on('frame', () => {
    const now = performance.now();
    if (now - panelAt < 1000 / PANEL_HZ) return;
    panelAt = now;
    update();
  });
  game.on('reset', () => { panelAt = 0; });
  game.on('control', (c) => showControl(c.human));
  const showPolicy = (p) => { $('policy-name').textContent = p.label || p.name; };
  game.on('policy', showPolicy);
  showPolicy(game.policy);
  showControl(game.humanActive);
  update();
  return { update };
}
