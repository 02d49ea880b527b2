"""The shipped models (web/models/<env>.onnx) meet their targets.

Same thresholds as train/configs/<env>.toml [target], fewer episodes than the full
100-episode evaluation to keep CI fast. Skipped only when the model file is missing.
"""
import os

import pytest

import envs
from export.model import default_model_path, load_model
from train.config import load_config, target_met
from train.evaluate import evaluate

EPISODES = {"pong": 20, "breakout": 20, "snake": 100}


@pytest.mark.parametrize("name", ["pong", "breakout", "snake"])
def test_shipped_model_meets_target(name):
    path = default_model_path(name)
    if not os.path.isfile(path):
        pytest.skip(f"{path} does not exist yet (train and export it first)")
    if name not in envs.list():
        pytest.fail(f"{path} exists but env {name!r} is not available")
    spec = envs.spec(name)
    model = load_model(path, spec)
    target = load_config(name)["target"]
    result = evaluate(name, model.act, episodes=EPISODES.get(name, 20), seed=0,
                      baseline=target.get("min_baseline_ratio") is not None)
    met, reasons = target_met(result, target, spec["max_score"])
    assert met, f"{name}: {'; '.join(reasons)} ({result})"
