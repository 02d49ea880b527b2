// Gallery: each built env's card runs a live preview (the bot playing, no input),
// only while the card is on screen.
(function () {
  'use strict';
  const SP = window.ShiftPlay;
  const entries = JSON.parse(document.getElementById('manifest').textContent);
  const PREVIEW_STEPS_PER_SECOND = 30;

  async function startPreview(card) {
    const name = card.dataset.env;
    const entry = entries[name];
    const canvas = card.querySelector('canvas');
    if (!entry || !canvas) return null;
    const env = await SP.loadEnv(entry, { canvas });
    env.create(Math.floor(Math.random() * 2 ** 31));
    env.renderInit();
    const game = new SP.Game(env, {
      stepsPerSecond: Math.min(PREVIEW_STEPS_PER_SECOND, env.stepsPerSecond),
      onError: () => card.classList.add('preview-failed'),
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

  const observer = new IntersectionObserver((items) => {
    for (const item of items) {
      const card = item.target;
      if (item.isIntersecting) visible.add(card);
      else visible.delete(card);
      if (item.isIntersecting && !games.has(card)) {
        const pending = startPreview(card).then((game) => {
          games.set(card, game);
          sync(card);
        }, (e) => {
          console.warn('preview failed', e);
          card.classList.add('preview-failed');
        });
        games.set(card, pending);
      } else {
        sync(card);
      }
    }
  }, { rootMargin: '100px' });

  for (const card of document.querySelectorAll('.card[data-built="true"]')) observer.observe(card);
  document.addEventListener('visibilitychange', () => { for (const card of games.keys()) sync(card); });
  window.shiftplayGallery = { games };
})();
