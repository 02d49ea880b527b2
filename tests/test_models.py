"""Every shipped model (web/models/<env>.onnx) meets its target.

Same thresholds as train/configs/<env>.toml [target], fewer episodes than the full
100-episode evaluation to keep CI fast: 20 per agent of one env instance (many agents
finish episodes together), at most 100. An env without a shipped model is skipped,
saying so; a model file without its env fails.
"""
import os

import pytest

import envs
from export.model import default_model_path, load_model
from train.config import load_config, needs_baseline, target_met
from train.evaluate import evaluate

MODELS = os.path.dirname(default_model_path("x"))


def shipped_without_env():
    if not os.path.isdir(MODELS):
        return []
    names = {f[:-5] for f in os.listdir(MODELS) if f.endswith(".onnx")}
    return sorted(names - set(envs.list()))


@pytest.mark.parametrize("name", envs.list())
def test_shipped_model_meets_target(name):
    path = default_model_path(name)
    if not os.path.isfile(path):
        pytest.skip(f"{name} has no shipped model ({path}): train and export one "
                    f"(python -m train --env {name}; python -m export --env {name})")
    spec = envs.spec(name)
    model = load_model(path, spec)
    target = load_config(name)["target"]
    with envs.make(name) as env:
        episodes = min(100, 20 * env.num_agents)
    result = evaluate(name, model.act, episodes=episodes, seed=0,
                      baseline=needs_baseline(target))
    met, reasons = target_met(result, target, spec["max_score"])
    assert met, f"{name}: {'; '.join(reasons)} ({result})"


def test_every_shipped_model_has_an_env():
    assert shipped_without_env() == [], "models in web/models for envs that do not exist"
