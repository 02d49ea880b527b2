"""A gymnasium.Env over one single-agent ShiftPlay env (no autoreset: gymnasium's rules)."""
import gymnasium
import numpy as np

import envs


class GymEnv(gymnasium.Env):
    metadata = {"render_modes": []}

    def __init__(self, name, **params):
        self._vec = envs.make(name, num_envs=1, seed=0, autoreset=False, **params)
        if self._vec.num_agents != 1:
            self._vec.close()
            raise ValueError(f"{name} has {self._vec.num_agents} agents; GymEnv needs "
                             "a single-agent env (use envs.make for multi-agent envs)")
        self.observation_space = self._vec.single_observation_space
        self.action_space = self._vec.single_action_space
        self._done = True

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if seed is None:
            seed = int(self.np_random.integers(0, 2**63))
        self._vec.reset(seed)
        self._done = False
        return self._vec.observations[0].copy(), {}

    def step(self, action):
        if self._done:
            raise RuntimeError("episode is over: call reset() first")
        if self._vec.continuous:
            # Box.contains wants float32 already; accept any float array of the right
            # shape and let VecEnv name a value that is out of bounds or not finite.
            action = np.asarray(action)
            if action.shape != self.action_space.shape or action.dtype.kind not in "fiu":
                raise ValueError(f"invalid action {action!r} for {self.action_space}")
            self._vec.step(action.astype(np.float32).reshape(1, -1))
        else:
            if not self.action_space.contains(action):
                raise ValueError(f"invalid action {action!r} for {self.action_space}")
            self._vec.step(np.array([action], dtype=np.int32))
        terminated = bool(self._vec.terminals[0])
        truncated = bool(self._vec.truncations[0])
        self._done = terminated or truncated
        info = self._vec.log() if self._done else {}
        return (self._vec.observations[0].copy(), float(self._vec.rewards[0]), terminated,
                truncated, info)

    def close(self):
        self._vec.close()
