"""Training envs: one VecEnv, or several variants of one env stepped as one (env_mix).

A config's `env_mix` lists groups {num_envs, env_params}; MixedVecEnv makes one VecEnv
per group and presents them to the trainer with the VecEnv attributes it uses
(observations, actions, rewards, terminals, truncations, step_unchecked, reset, log,
close): the agents of group 0 come first, then group 1's, and so on. Used for
Connect Four's self-play (mode=1, both agents are the policy being trained) next to
games against the scripted and search opponents.
"""

import envs
from envs.vector import allocate_buffers


class MixedVecEnv:
    def __init__(self, name, groups, seed=0, base_params=None):
        if not groups:
            raise ValueError("env_mix needs at least one group")
        self.name = name
        self.envs = []
        offset = seed
        for group in groups:
            params = {**(base_params or {}), **group.get("env_params", {})}
            env = envs.make(name, num_envs=group["num_envs"], seed=offset, **params)
            offset += group["num_envs"]
            self.envs.append(env)
        first = self.envs[0]
        self.spec = first.spec
        self.num_envs = sum(e.num_envs for e in self.envs)
        self.num_agents = sum(e.num_agents for e in self.envs)
        self.num_actions = first.num_actions
        self.continuous = first.continuous
        allocate_buffers(self, self.num_agents, self.spec["obs_size"], first.obs_dtype,
                         self.spec)
        self.slices = []
        start = 0
        for e in self.envs:
            self.slices.append(slice(start, start + e.num_agents))
            start += e.num_agents
        self._seed = seed
        self._gather()

    def _gather(self):
        for e, s in zip(self.envs, self.slices):
            self.observations[s] = e.observations
            self.rewards[s] = e.rewards
            self.terminals[s] = e.terminals
            self.truncations[s] = e.truncations

    def reset(self, seed=None):
        if seed is None:
            seed = self._seed + self.num_envs
        self._seed = seed
        offset = seed
        for e in self.envs:
            e.reset(offset)
            offset += e.num_envs
        self._gather()
        return self.observations

    def step_unchecked(self):
        for e, s in zip(self.envs, self.slices):
            e.actions[...] = self.actions[s]
            e.step_unchecked()
        self._gather()

    def log(self):
        """Means over the episodes every group finished since the last call."""
        total, sums = 0.0, {}
        for e in self.envs:
            log = e.log()
            n = log.get("n", 0.0)
            if not n:
                continue
            total += n
            for key, value in log.items():
                if key != "n":
                    sums[key] = sums.get(key, 0.0) + value * n
        if not total:
            return {}
        out = {key: value / total for key, value in sums.items()}
        out["n"] = total
        return out

    def close(self):
        for e in self.envs:
            e.close()


def learner_share(num_envs, world, where):
    """The envs of one of `world` learners; num_envs must split evenly."""
    if num_envs % world:
        raise ValueError(f"{where}={num_envs} is not divisible by the {world} learners")
    return num_envs // world


def make_train_env(cfg, seed, world=1):
    """One learner's training env (its 1/world share of the envs, seeded from `seed`):
    envs.make(...) or, with cfg['env_mix'], a MixedVecEnv."""
    if cfg.get("env_mix"):
        groups = [dict(g, num_envs=learner_share(g["num_envs"], world, f"env_mix[{i}].num_envs"))
                  for i, g in enumerate(cfg["env_mix"])]
        return MixedVecEnv(cfg["env"], groups, seed=seed, base_params=cfg["env_params"])
    num_envs = learner_share(cfg["ppo"]["num_envs"], world, "num_envs")
    return envs.make(cfg["env"], num_envs=num_envs, seed=seed, **cfg["env_params"])
