"""PPO training for ShiftPlay envs: python -m train --env NAME.

    train/config.py       TOML configs (train/configs/<env>.toml) and target checks
    train/policy.py       the policy network (raw observation in, logits and value out;
                          optional LSTM)
    train/ppo.py          the PPO loop on the native vector env (CleanRL-shaped)
    train/run.py          run bookkeeping: resume, evaluation and best checkpoint, CSV,
                          TensorBoard, curve.png, progress display, time budget
    train/shaping.py      reward shaping an env's config asks for (lost-life penalty)
    train/distributed.py  torchrun learners (gloo/nccl), gradient averaging
    train/checkpoint.py   checkpoint files and the check that one fits its env
    train/evaluate.py     deterministic evaluation of any act() on the native env
    train/bench.py        python -m train.bench: training steps/s and where time goes

train imports envs only, never export (export imports train).
"""
