"""Helpers of the web tests: the local build's paths (web/tools/local.py) and the keys."""
# The local web build, Chromium and the node harness (shared with bench/ and web/tools/).
from web.tools.local import (  # noqa: F401 - re-exported for the tests
    BUILD, CHROMIUM, CHROMIUM_ARGS, HARNESS, MANIFEST, NODE_ENV, ROOT, built_js, env_names,
    manifest, node, run_node)

# The arrow key that sends each action of these names (envs' render headers map them so).
KEY_OF_ACTION = {"UP": "ArrowUp", "DOWN": "ArrowDown", "LEFT": "ArrowLeft", "RIGHT": "ArrowRight"}


def control_keys(spec):
    """(obs index, key that lowers it, key that raises it) from the spec's control_obs,
    or None when no observation value follows the keys."""
    c = spec.get("control_obs")
    if not c:
        return None
    names = spec["action_names"]
    return (spec["obs_labels"].index(c["label"]), KEY_OF_ACTION[names[c["decrease_action"]]],
            KEY_OF_ACTION[names[c["increase_action"]]])


def tap(page, key):
    """Presses `key` for two drawn frames, as a person's key press lasts (raylib reads the
    key state once per frame, so a press shorter than a frame is not seen by the game)."""
    frames = page.evaluate("shiftplay.game.frames")
    page.keyboard.down(key)
    page.wait_for_function(f"shiftplay.game.frames >= {frames + 2}")
    page.keyboard.up(key)
