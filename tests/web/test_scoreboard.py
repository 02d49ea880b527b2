"""Stored best scores are never trusted (issue #14): every field of localStorage's
shiftplay.best.<env> is checked when read, and what is invalid is dropped alone."""
import json

import pytest

from tests.web.common import env_names, manifest

ENVS = [n for n in env_names() if n in manifest().get("envs", {})]
GOOD = {"score": 3, "return": 3.5, "length": 40, "youSteps": 0, "botSteps": 40, "seed": 9,
        "at": "2026-11-30T10:00:00.000Z"}


def with_(**fields):
    entry = dict(GOOD)
    entry.update(fields)
    return {"bot": entry}


# (stored text, {kind: score shown}, fields kept of the bot entry or None)
CASES = [
    ('{"bot":{"score":3,"at":5}}', {"bot": "3"}, ["score"]),  # the issue's repro
    (json.dumps(with_(at={"x": 1})), {"bot": "3"}, sorted(set(GOOD) - {"at"})),
    (json.dumps(with_(at="yesterday")), {"bot": "3"}, sorted(set(GOOD) - {"at"})),
    (json.dumps(with_(at="x" * 5000)), {"bot": "3"}, sorted(set(GOOD) - {"at"})),
    (json.dumps(with_(length="40", seed=-1, youSteps=1.5, botSteps=None, **{"return": "x"})),
     {"bot": "3"}, ["at", "score"]),
    (json.dumps(with_(score="3")), {}, None),
    (json.dumps(with_(score=None)), {}, None),
    ('{"bot":{"score":1e999}}', {}, None),
    ('{"bot":5}', {}, None),
    ('{"bot":[3]}', {}, None),
    ('{"bot":null,"human":{"score":7}}', {"human": "7"}, None),
    ('{"handoff":{"score":-2.5},"weird":{"score":9}}', {"handoff": "-2.5"}, None),
    ("[1,2]", {}, None),
    ("null", {}, None),
    ("7", {}, None),
    ("not json", {}, None),
    ("", {}, None),
]

READ = """async ([key, env, raw]) => {
  const scores = await import('/static/scoreboard.js');
  localStorage.setItem(key, raw);
  const el = document.createElement('div');
  scores.render(el, env);
  const shown = {};
  for (const c of el.querySelectorAll('.best:not(.empty)')) shown[c.dataset.kind] = c.querySelector('.best-value').textContent;
  return {shown, board: scores.load(env)};
}"""


@pytest.fixture(scope="module")
def gallery(browser, server_url):
    from tests.web.conftest import Console

    context = browser.new_context()
    page = context.new_page()
    page.console = Console(page)
    page.goto(server_url + "/")
    page.wait_for_function("window.shiftplay && shiftplay.games")
    yield page
    context.close()


@pytest.mark.parametrize(("raw", "shown", "kept"), CASES)
def test_corrupt_stored_scores_are_dropped_field_by_field(gallery, raw, shown, kept):
    name = ENVS[0]
    got = gallery.evaluate(READ, ["shiftplay.best." + name, name, raw])
    assert got["shown"] == shown
    if kept is not None:
        assert sorted(got["board"]["bot"]) == kept
    assert gallery.console.errors == []


@pytest.mark.skipif(len(ENVS) < 2, reason="needs two built envs")
def test_one_bad_entry_hides_nothing_else(page, server_url):
    """The issue's repro: a bad `at` must not break the gallery's cards nor stop the play
    page from recording."""
    bad, good = ENVS[0], ENVS[1]
    page.goto(server_url + "/")
    page.evaluate("""([bad, good]) => {
      localStorage.setItem('shiftplay.best.' + bad, '{"bot":{"score":3,"at":5}}');
      localStorage.setItem('shiftplay.best.' + good, JSON.stringify({human: {score: 11, length: 5}}));
    }""", [bad, good])
    page.reload()
    for name, kind, value in [(bad, "bot", "3"), (good, "human", "11")]:
        cell = page.locator(f'.card[data-env="{name}"] .card-scores .best-{kind} .best-value')
        cell.wait_for()
        assert cell.inner_text() == value

    page.goto(f"{server_url}/play/{bad}?policy=baseline")
    page.wait_for_function("window.shiftplay && shiftplay.scores && shiftplay.game.totalSteps > 0")
    assert page.inner_text("#best-grid .best-bot .best-value") == "3"
    page.evaluate("shiftplay.scores.record({score: 5, return: 5, length: 30, youSteps: 30, "
                  "botSteps: 0, seed: 4})")
    page.wait_for_function("document.querySelector('#best-grid .best-human .best-value')"
                           ".textContent === '5'")
    stored = json.loads(page.evaluate(f"localStorage.getItem('shiftplay.best.{bad}')"))
    assert stored["bot"] == {"score": 3}
    assert stored["human"]["score"] == 5 and isinstance(stored["human"]["at"], str)
    assert page.console.errors == []
