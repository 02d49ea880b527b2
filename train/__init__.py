"""PPO training for ShiftPlay envs: python -m train --env NAME.

    train/config.py    TOML configs (train/configs/<env>.toml) and target checks
    train/policy.py    the policy network (raw observation in, logits and value out)
    train/ppo.py       the PPO loop on the native vector env
    train/evaluate.py  deterministic evaluation of ONNX models / torch policies
"""
