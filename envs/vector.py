"""VecEnv: N instances of one C env, stepped in one C call over numpy buffers."""
import numbers

import numpy as np

_DTYPES = {"float32": np.float32, "uint8": np.uint8}
# The fields of the C Log struct (envs/env.h), in order.
LOG_FIELDS = ("n", "episode_return", "episode_length", "score", "perf")


def _check_int(name, value, low=None):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def resolve_params(spec, params):
    """Checks keyword params against the env's table; returns the full int tuple."""
    known = {p["name"]: p for p in spec["params"]}
    for key in params:
        if key not in known:
            raise ValueError(f"{spec['name']} has no param {key!r}; params: "
                             f"{', '.join(known) or 'none'}")
    values = []
    for p in spec["params"]:
        value = _check_int(p["name"], params.get(p["name"], p["default"]))
        if not p["min"] <= value <= p["max"]:
            raise ValueError(f"{spec['name']}: {p['name']}={value} is outside "
                             f"[{p['min']}, {p['max']}]")
        values.append(value)
    return tuple(values)


def feature_bounds(spec):
    """Per-value low and high (float64 arrays of obs_size) from the spec's obs_groups."""
    low = np.empty(spec["obs_size"], dtype=np.float64)
    high = np.empty(spec["obs_size"], dtype=np.float64)
    for group in spec["obs_groups"]:
        end = group["start"] + group["count"]
        low[group["start"]:end] = group["low"]
        high[group["start"]:end] = group["high"]
    return low, high


def is_continuous(spec):
    """True for an env with continuous actions (envs/env.h: action_kind)."""
    return spec.get("action_kind", "discrete") == "continuous"


def head_width(spec):
    """What a policy outputs per agent for the env's actions: num_actions logits, or
    action_dim means (continuous)."""
    return spec["action_dim"] if is_continuous(spec) else spec["num_actions"]


def action_shape(spec, num_agents):
    """The shape of a vector env's action buffer: (n,) int32 actions for a discrete env,
    (n, action_dim) float32 values for a continuous one."""
    return (num_agents, spec["action_dim"]) if is_continuous(spec) else (num_agents,)


def action_dtype(spec):
    return np.dtype(np.float32) if is_continuous(spec) else np.dtype(np.int32)


def action_bounds(spec):
    """A continuous env's per-dimension bounds: (action_low, action_high) float32 arrays."""
    return (np.asarray(spec["action_low"], dtype=np.float32),
            np.asarray(spec["action_high"], dtype=np.float32))


def action_space(spec):
    """The gymnasium space of one agent's action: Discrete(num_actions), or a float32
    Box of action_dim values within [action_low, action_high]."""
    import gymnasium
    if not is_continuous(spec):
        return gymnasium.spaces.Discrete(spec["num_actions"])
    low, high = action_bounds(spec)
    return gymnasium.spaces.Box(low=low, high=high, dtype=np.float32)


def check_continuous_actions(spec, actions, bounds):
    """Raises ValueError unless every value is finite and within its dimension's bounds
    (`bounds`: action_bounds(spec); C would clamp them, Python callers get told)."""
    low, high = bounds
    bad = ~(np.isfinite(actions) & (actions >= low) & (actions <= high))
    if bad.any():
        agent, dim = np.argwhere(bad)[0]
        value, name = actions[agent, dim], spec["action_names"][dim]
        problem = "is out of range" if np.isfinite(value) else "is not finite"
        raise ValueError(f"agent {agent}'s action {name}={value} {problem}: it must lie in "
                         f"[{low[dim]:g}, {high[dim]:g}]")


def allocate_buffers(owner, num_agents, obs_size, obs_dtype, spec):
    """The per-agent step buffers every vector env exposes, as attributes of `owner`:
    observations (num_agents x obs_size, the env's dtype), actions (int32 per agent, or
    num_agents x action_dim float32 for a continuous `spec`), float32 rewards, bool
    terminals and truncations."""
    n = num_agents
    owner.observations = np.zeros((n, obs_size), dtype=obs_dtype)
    owner.actions = np.zeros(action_shape(spec, n), dtype=action_dtype(spec))
    owner.rewards = np.zeros(n, dtype=np.float32)
    owner.terminals = np.zeros(n, dtype=np.bool_)
    owner.truncations = np.zeros(n, dtype=np.bool_)


class VecEnv:
    """Buffers are owned here and written in place by C on every reset/step."""

    def __init__(self, name, binding, num_envs=1, seed=0, autoreset=True, **params):
        import gymnasium

        self.name = name
        self._c = binding
        self.spec = binding.spec()
        self.num_envs = _check_int("num_envs", num_envs, low=1)
        if not isinstance(autoreset, (bool, np.bool_)):
            raise TypeError(f"autoreset must be True or False, got {autoreset!r}")
        self.params = resolve_params(self.spec, params)
        self.agents_per_env = binding.num_agents(self.params)
        self.num_agents = self.num_envs * self.agents_per_env
        self.obs_dtype = np.dtype(_DTYPES[self.spec["obs_dtype"]])
        self.obs_shape = (self.spec["obs_size"],)
        self.num_actions = self.spec["num_actions"]
        self.continuous = is_continuous(self.spec)
        # Continuous envs: (low, high) float32 per dimension, built once (step checks them).
        self.action_bounds = action_bounds(self.spec) if self.continuous else None
        n = self.num_agents
        allocate_buffers(self, n, self.spec["obs_size"], self.obs_dtype, self.spec)
        # Per agent, sums over its episodes that ended since log() last cleared them.
        self.agent_logs = np.zeros((n, len(LOG_FIELDS)), dtype=np.float32)
        self._handle = binding.vec_init(self.observations, self.actions, self.rewards,
                                        self.terminals.view(np.uint8),
                                        self.truncations.view(np.uint8), self.agent_logs,
                                        self.num_envs, self.params, bool(autoreset))
        low, high = feature_bounds(self.spec)
        self.single_observation_space = gymnasium.spaces.Box(
            low=low.astype(self.obs_dtype), high=high.astype(self.obs_dtype),
            dtype=self.obs_dtype)
        self.single_action_space = action_space(self.spec)
        self._seed = 0
        self.reset(seed)

    def reset(self, seed=None):
        """Starts new episodes in every env (env i is seeded with seed + i).

        With seed=None, the next seed in the sequence is used, so repeated resets differ.
        Seeds wrap modulo 2**64 (env i of seed 2**64-1 gets seed i - 1)."""
        if seed is None:
            seed = (self._seed + self.num_envs) % 2**64
        seed = _check_int("seed", seed, low=0)
        if seed >= 2**64:
            raise ValueError("seed must be < 2**64")
        self._seed = seed
        self._c.vec_reset(self._handle, seed)
        return self.observations

    def step(self, actions):
        """Writes actions and steps every env once, in place. Discrete: one int per agent.
        Continuous: num_agents x action_dim floats, each finite and within its bounds."""
        if self.continuous:
            return self._step_continuous(actions)
        actions = np.asarray(actions)
        if actions.shape != (self.num_agents,) and not (
                self.num_agents == 1 and actions.shape == ()):
            raise ValueError(f"actions must have shape ({self.num_agents},), "
                             f"got {actions.shape}")
        if actions.dtype.kind not in "iu":
            raise TypeError(f"actions must be integers, got dtype {actions.dtype}")
        low, high = actions.min(), actions.max()
        if low < 0 or high >= self.num_actions:
            bad = low if low < 0 else high
            raise ValueError(f"action {bad} is out of range [0, {self.num_actions})")
        actions = np.ascontiguousarray(actions, dtype=np.int32).reshape(self.num_agents)
        if not actions.flags.writeable:
            actions = actions.copy()
        # C copies them into self.actions only if no other thread is stepping this env.
        self._c.vec_step(self._handle, actions)
        return self.observations, self.rewards, self.terminals, self.truncations

    def _step_continuous(self, actions):
        actions = np.asarray(actions)
        shape = self.actions.shape
        if actions.shape != shape and not (self.num_agents == 1 and actions.shape == shape[1:]):
            raise ValueError(f"actions must have shape {shape}, got {actions.shape}")
        if actions.dtype.kind not in "fiu":
            raise TypeError(f"actions must be floats, got dtype {actions.dtype}")
        actions = np.array(actions, dtype=np.float32).reshape(shape)  # a private copy
        check_continuous_actions(self.spec, actions, self.action_bounds)
        self._c.vec_step(self._handle, actions)
        return self.observations, self.rewards, self.terminals, self.truncations

    def random_actions(self, rng):
        """Uniform random actions for every agent (a numpy Generator `rng`): ints in
        [0, num_actions), or each continuous value uniform within its bounds."""
        if self.continuous:
            low, high = self.action_bounds
            return rng.uniform(low, high, self.actions.shape).astype(np.float32)
        return rng.integers(0, self.num_actions, self.num_agents, dtype=np.int32)

    def idle_actions(self):
        """Valid actions for every agent that do as little as the env allows: action 0,
        or each continuous value 0 clamped into its bounds."""
        if self.continuous:
            low, high = self.action_bounds
            return np.broadcast_to(np.clip(0.0, low, high), self.actions.shape).copy()
        return np.zeros(self.num_agents, dtype=np.int32)

    def step_unchecked(self):
        """Steps with whatever is in self.actions (already validated by the caller).

        One env is stepped by one thread at a time: a call while another thread is in
        step/reset/close of the same env raises RuntimeError (threads that each own an
        env run in parallel, the GIL is released while C steps)."""
        self._c.vec_step(self._handle)

    def baseline_actions(self, out=None):
        """The scripted baseline policy's actions for the current state."""
        if out is None:
            out = np.empty(self.actions.shape, dtype=self.actions.dtype)
        self._c.vec_baseline(self._handle, out)
        return out

    def log(self):
        """Means over the episodes finished since the last call ({} if none)."""
        return self._c.vec_log(self._handle)

    def take_agent_logs(self, agents):
        """Per-agent episode stats for `agents` (indices): a dict of arrays, each the mean
        over that agent's episodes ended since the last read; clears those rows."""
        rows = self.agent_logs[agents]
        self.agent_logs[agents] = 0.0
        n = np.maximum(rows[:, 0], 1.0)
        out = {"n": rows[:, 0].copy()}
        for k, field in enumerate(LOG_FIELDS[1:], start=1):
            out[field] = rows[:, k] / n
        return out

    def close(self):
        """Frees the C envs; waits for a step running in another thread to finish first."""
        self._c.vec_close(self._handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
