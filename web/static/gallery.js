// The gallery's entry module: each built env's card runs a live preview (the bot
// playing, no input) only while the card is on screen, and cards show this browser's
// best scores. window.shiftplay = {games} is the test hook.
import { loadEnv, Game } from './play.js';
import { problem, watchUnhandled } from './fallbacks.js';
import { showOnCards } from './scoreboard.js';

const entries = JSON.parse(document.getElementById('manifest').textContent);
const PREVIEW_STEPS_PER_SECOND = 30;

async function startPreview(card) {
  const name = card.dataset.env;
  const entry = entries[name];
  const canvas = card.querySelector('canvas');
  if (!entry || !canvas) return null;
  const env = await loadEnv(entry, { canvas });
  env.create(Math.floor(Math.random() * 2 ** 31));
  env.renderInit();
  const game = new Game(env, { stepsPerSecond: Math.min(PREVIEW_STEPS_PER_SECOND, env.stepsPerSecond) });
  game.on('error', (e) => {
    card.classList.add('preview-failed');
    console.error(`[shiftplay] the ${name} preview stopped:`, e);
  });
  env.render(game.highlight);
  card.classList.add('preview-live');
  return game;
}

const games = new Map();
const visible = new Set();

function sync(card) {
  const game = games.get(card);
  if (!game || typeof game.then === 'function') return;
  if (visible.has(card) && !document.hidden) game.start();
  else game.stop();
}

let failures = 0;
function previewFailed(card, e) {
  card.classList.add('preview-failed');
  failures += 1;
  if (failures === 1) {
    problem('A game preview could not start; the games may still open from their cards.', e,
      { key: 'preview', kind: 'warn' });
  } else {
    console.warn('[shiftplay] preview failed:', e);
  }
}

const observer = new IntersectionObserver((items) => {
  for (const item of items) {
    const card = item.target;
    if (item.isIntersecting) visible.add(card);
    else visible.delete(card);
    if (item.isIntersecting && !games.has(card)) {
      const pending = startPreview(card).then((game) => {
        games.set(card, game);
        sync(card);
      }, (e) => previewFailed(card, e));
      games.set(card, pending);
    } else {
      sync(card);
    }
  }
}, { rootMargin: '100px' });

watchUnhandled();
for (const card of document.querySelectorAll('.card[data-built="true"]')) observer.observe(card);
for (const card of document.querySelectorAll('.card[data-built="false"]')) {
  console.warn(`[shiftplay] ${card.dataset.env} is not built for the web: run \`make web\` ` +
    `(or ./build_web.sh ${card.dataset.env})`);
}
document.addEventListener('visibilitychange', () => { for (const card of games.keys()) sync(card); });
showOnCards(document.querySelectorAll('.card[data-env]'));
window.shiftplay = { games };
