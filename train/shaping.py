"""Reward shaping an env asks for in its config (train/configs/<env>.toml), kept out of
the generic PPO loop.

    [ppo]
    reward_scale = 0.25          # every env reward is multiplied by this
    life_obs = "balls_left"      # an observation label (ENV_SPEC obs_labels) counting lives
    life_loss_reward = -1.0      # added on every step where it drops inside an episode

The env only rewards what it scores (breakout: bricks), so a lost life costs nothing
until the episode's last one; the penalty makes each miss felt at once.
"""
import torch


class RewardShaping:
    """Scales rollout rewards and adds the lost-life penalty, from the config's [ppo]."""

    def __init__(self, spec, ppo, num_steps, num_agents):
        self.scale = float(ppo["reward_scale"])
        self.life_reward = float(ppo["life_loss_reward"])
        self.life_index = None
        if ppo["life_obs"]:
            labels = list(spec.get("obs_labels") or [])
            if ppo["life_obs"] not in labels:
                raise ValueError(f"life_obs {ppo['life_obs']!r} is not an observation label "
                                 f"of {spec['name']!r} (labels: {labels})")
            self.life_index = labels.index(ppo["life_obs"])
            self.lives_lost = torch.zeros((num_steps, num_agents))

    def before_step(self, obs):
        """Call with the env's observation buffer right before env.step()."""
        if self.life_index is not None:
            self.lives_before = obs[:, self.life_index].clone()

    def after_step(self, t, obs, next_done):
        """Call after env.step() with the new observations and done flags (float)."""
        if self.life_index is not None:
            self.lives_lost[t] = ((obs[:, self.life_index] < self.lives_before).float()
                                  * (1.0 - next_done))

    def apply(self, rewards):
        """Shapes the rollout's rewards [T, n] in place (once, after the rollout)."""
        if self.scale != 1.0:
            rewards.mul_(self.scale)
        if self.life_index is not None and self.life_reward:
            rewards.add_(self.lives_lost * self.life_reward)
