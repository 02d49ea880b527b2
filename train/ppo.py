"""PPO on a native ShiftPlay vector env (after CleanRL's ppo.py and ppo_atari_lstm.py).

One update = a rollout of `num_steps` steps from every agent of `num_envs` envs, GAE
advantages, then `update_epochs` passes of clipped-objective minibatch SGD. "Steps" are
agent steps everywhere (env steps x agents per env). Episodes that end by truncation are
treated like terminations (the C env autoresets and keeps no final observation).

With an LSTM policy the state is carried through the rollout and zeroed where an episode
ends; the update replays whole sequences of `num_steps` per agent from the state the
rollout started with, minibatches being sets of agents.

Under torchrun (WORLD_SIZE > 1) every process is a learner with its own slice of the envs
and its own seeds; the update's forward runs through DistributedDataParallel, which averages
the gradients in the backward, so the weights stay identical on every rank. Rank 0
alone logs, evaluates, saves and plots (train/run.py).
"""
import sys
import time

import numpy as np
import torch
from torch import nn

from train import distributed
from train.mixed import make_train_env
from train.policy import make_policy
from train.run import Run
from train.shaping import RewardShaping

SEED_STRIDE = 1_000_003  # env seeds of rank r start at seed + r * SEED_STRIDE


def sample_actions(logits):
    """Samples one action per row of logits (Gumbel-max: argmax(logits + Gumbel noise),
    the same distribution as Categorical(logits).sample(), but a few times faster)."""
    noise = torch.empty_like(logits).exponential_().log_()   # -Gumbel noise
    return (logits - noise).argmax(dim=1)


# Continuous actions (policy output (mean, log_std)) use a diagonal Gaussian, as in
# CleanRL's ppo_continuous_action.py: actions are sampled unclipped and stored that way
# for the log-probabilities; the C env clamps them into their bounds (envs/env.h).
def sample(out):
    """Sampled actions for a policy output: logits, or (mean, log_std)."""
    if isinstance(out, tuple):
        mean, log_std = out
        return mean + log_std.exp() * torch.randn_like(mean)
    return sample_actions(out)


def log_prob(out, actions):
    """Log-probability of `actions` under the policy output (summed over dimensions)."""
    if isinstance(out, tuple):
        mean, log_std = out
        return torch.distributions.Normal(mean, log_std.exp()).log_prob(actions).sum(1)
    return torch.log_softmax(out, dim=1).gather(1, actions.unsqueeze(1)).squeeze(1)


def log_prob_entropy(out, actions):
    """(log-probability of `actions`, entropy) per row of the policy output."""
    if isinstance(out, tuple):
        mean, log_std = out
        normal = torch.distributions.Normal(mean, log_std.exp())
        return normal.log_prob(actions).sum(1), normal.entropy().sum(1)
    log_probs = torch.log_softmax(out, dim=1)
    entropy = -(log_probs.exp() * log_probs).sum(dim=1)
    return log_probs.gather(1, actions.unsqueeze(1)).squeeze(1), entropy


class Rollout:
    """Storage for one rollout ([T, n] per quantity; obs kept in the env's own dtype, so
    uint8 grids stay small) and zero-copy views of the env's numpy buffers."""

    def __init__(self, env, T):
        n, spec = env.num_agents, env.spec
        obs_dtype = torch.uint8 if spec["obs_dtype"] == "uint8" else torch.float32
        self.obs = torch.zeros((T, n, spec["obs_size"]), dtype=obs_dtype)
        if env.continuous:
            self.actions = torch.zeros((T, n, spec["action_dim"]))
        else:
            self.actions = torch.zeros((T, n), dtype=torch.long)
        self.logprobs = torch.zeros((T, n))
        self.rewards = torch.zeros((T, n))
        self.dones = torch.zeros((T, n))     # 1 where obs[t] starts a new episode
        self.values = torch.zeros((T, n))
        self.env_obs = torch.from_numpy(env.observations)  # C writes into these
        self.env_actions = torch.from_numpy(env.actions)
        self.env_rewards = torch.from_numpy(env.rewards)
        self.env_done = np.zeros(n, dtype=np.bool_)
        self.state = ()  # LSTM state at the start of the rollout


def setup(cfg, device, dist):
    """The env (this rank's slice), policy, optimizer and rollout storage for a config."""
    ppo = cfg["ppo"]
    env = make_train_env(cfg, cfg["seed"] + dist.rank * SEED_STRIDE, dist.world)
    torch.manual_seed(cfg["seed"])
    policy = make_policy(env.spec, cfg["policy"]).to(device)
    if policy.center_obs:
        policy.set_obs_offset(env.observations)   # freshly reset envs (resume: overwritten)
    if policy.recurrent and env.num_agents % ppo["num_minibatches"]:
        raise ValueError(f"an LSTM policy splits the {env.num_agents} agents of a learner "
                         f"into num_minibatches={ppo['num_minibatches']} equal sets")
    optimizer = torch.optim.Adam(policy.parameters(), lr=ppo["learning_rate"], eps=1e-5)
    return env, policy, optimizer, Rollout(env, ppo["num_steps"])


def rollout(env, policy, buf, state, next_done, shaping, device, timer):
    """Plays `num_steps` steps of every agent with sampled actions, filling `buf`.

    Returns the LSTM state and done flags after the last step. `timer` accumulates the
    seconds spent in the policy ("forward") and in the C env ("env")."""
    policy.eval()
    buf.state = tuple(s.clone() for s in state)
    for t in range(buf.obs.shape[0]):
        t0 = time.perf_counter()
        buf.obs[t].copy_(buf.env_obs)
        buf.dones[t] = next_done
        with torch.inference_mode():
            logits, value, state = policy.step(buf.obs[t].to(device), state,
                                               next_done.to(device))
            action = sample(logits)
            buf.logprobs[t] = log_prob(logits, action).cpu()
        buf.values[t] = value.cpu()
        buf.actions[t] = action.cpu()
        buf.env_actions.copy_(buf.actions[t])          # into the env's int32/float32 buffer
        shaping.before_step(buf.env_obs)
        t1 = time.perf_counter()
        env.step_unchecked()
        t2 = time.perf_counter()
        buf.rewards[t] = buf.env_rewards
        np.logical_or(env.terminals, env.truncations, out=buf.env_done)
        next_done = torch.from_numpy(buf.env_done).float()
        shaping.after_step(t, buf.env_obs, next_done)
        timer["forward"] += t1 - t0 + time.perf_counter() - t2
        timer["env"] += t2 - t1
    policy.train()
    return state, next_done


def advantages_and_returns(policy, buf, state, next_done, gamma, gae_lambda, device):
    """GAE from the rollout and a bootstrap value of the state after it."""
    T = buf.rewards.shape[0]
    with torch.no_grad():
        next_value = policy.step(buf.env_obs.to(device), state, next_done.to(device))[1].cpu()
        advantages = torch.zeros_like(buf.rewards)
        lastgaelam = torch.zeros(buf.rewards.shape[1])
        for t in reversed(range(T)):
            if t == T - 1:
                next_nonterminal = 1.0 - next_done
                next_values = next_value
            else:
                next_nonterminal = 1.0 - buf.dones[t + 1]
                next_values = buf.values[t + 1]
            delta = buf.rewards[t] + gamma * next_values * next_nonterminal - buf.values[t]
            lastgaelam = delta + gamma * gae_lambda * next_nonterminal * lastgaelam
            advantages[t] = lastgaelam
    return advantages, advantages + buf.values


class Minibatch(nn.Module):
    """The policy's forward on a minibatch, as the update needs it (Policy.sequence: whole
    sequences for an LSTM policy, single steps otherwise; (mean, log_std) in place of the
    logits for continuous actions). DistributedDataParallel wraps this module."""

    def __init__(self, policy):
        super().__init__()
        self.policy = policy

    def forward(self, obs, state=(), dones=None):
        return self.policy.sequence(obs, state, dones)


def update(policy, learner, optimizer, buf, advantages, returns, ppo, device):
    """`update_epochs` passes of clipped-objective minibatch SGD over the rollout.

    A feed-forward policy samples minibatches of single steps; an LSTM policy takes
    minibatches of agents, each with its whole sequence of `num_steps` steps. `learner` is
    the Minibatch module around `policy` (in DistributedDataParallel under torchrun)."""
    T, n = buf.actions.shape[:2]
    batch = {"logprobs": buf.logprobs, "actions": buf.actions, "advantages": advantages,
             "returns": returns, "values": buf.values}
    if policy.recurrent:
        batch = {k: v.to(device) for k, v in batch.items()}
        obs, dones = buf.obs.to(device), buf.dones.to(device)
        state = tuple(s.to(device) for s in buf.state)
        units = n
    else:
        batch = {k: v.reshape(T * n, *v.shape[2:]).to(device) for k, v in batch.items()}
        obs = buf.obs.reshape(T * n, -1).to(device)
        units = T * n
    minibatch_size = units // ppo["num_minibatches"]
    clipfracs = []
    for epoch in range(ppo["update_epochs"]):
        perm = torch.randperm(units, device=device)
        for start in range(0, units, minibatch_size):
            mb = perm[start:start + minibatch_size]
            if policy.recurrent:
                logits, newvalue = learner(obs[:, mb], tuple(s[mb] for s in state),
                                           dones[:, mb])
                b = {k: v[:, mb].reshape(-1) for k, v in batch.items()}
            else:
                logits, newvalue = learner(obs[mb])
                b = {k: v[mb] for k, v in batch.items()}
            newlogprob, entropy = log_prob_entropy(logits, b["actions"])
            logratio = newlogprob - b["logprobs"]
            ratio = logratio.exp()
            with torch.no_grad():
                approx_kl = ((ratio - 1) - logratio).mean()  # http://joschu.net/blog/kl-approx.html
                clipfracs.append(((ratio - 1.0).abs() > ppo["clip_coef"]).float().mean())

            mb_adv = b["advantages"]
            if ppo["norm_adv"]:
                mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
            pg_loss = torch.max(-mb_adv * ratio, -mb_adv * torch.clamp(
                ratio, 1 - ppo["clip_coef"], 1 + ppo["clip_coef"])).mean()

            if ppo["clip_vloss"]:
                v_unclipped = (newvalue - b["returns"]) ** 2
                v_clipped = b["values"] + torch.clamp(
                    newvalue - b["values"], -ppo["clip_coef"], ppo["clip_coef"])
                v_loss = 0.5 * torch.max(v_unclipped, (v_clipped - b["returns"]) ** 2).mean()
            else:
                v_loss = 0.5 * ((newvalue - b["returns"]) ** 2).mean()

            entropy_loss = entropy.mean()
            loss = pg_loss - ppo["ent_coef"] * entropy_loss + ppo["vf_coef"] * v_loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(policy.parameters(), ppo["max_grad_norm"])
            optimizer.step()
        if ppo["target_kl"] and approx_kl > ppo["target_kl"]:
            break

    y_pred, y_true = batch["values"].cpu().numpy(), batch["returns"].cpu().numpy()
    var_y = np.var(y_true)
    explained_var = np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y
    return {"policy_loss": pg_loss.item(), "value_loss": v_loss.item(),
            "entropy": entropy_loss.item(), "approx_kl": approx_kl.item(),
            "clipfrac": torch.stack(clipfracs).mean().item(),
            "explained_variance": explained_var}


def iteration(env, policy, learner, optimizer, buf, state, next_done, shaping, ppo, device,
              timer):
    """One PPO iteration: rollout, reward shaping, GAE, update. Returns the LSTM state and
    done flags after the rollout, and the update's statistics."""
    state, next_done = rollout(env, policy, buf, state, next_done, shaping, device, timer)
    reward_rate = buf.rewards.mean().item()  # mean reward per agent step (unscaled)
    shaping.apply(buf.rewards)
    advantages, returns = advantages_and_returns(policy, buf, state, next_done,
                                                 ppo["gamma"], ppo["gae_lambda"], device)
    t0 = time.perf_counter()
    stats = update(policy, learner, optimizer, buf, advantages, returns, ppo, device)
    timer["update"] += time.perf_counter() - t0
    stats.update(reward_rate=reward_rate, learning_rate=optimizer.param_groups[0]["lr"])
    return state, next_done, stats


def train(cfg, out_dir, resume=False, device=None, stream=sys.stderr, minutes=None):
    """Trains the config's env; writes checkpoints, metrics.csv, TensorBoard events and
    curve.png to out_dir. `minutes` is a wall-clock budget for this session.

    Returns a summary dict (steps, wall time, steps/s, last and best eval)."""
    ppo = cfg["ppo"]
    torch.set_num_threads(cfg["threads"] or 1)
    dist = distributed.init(device)
    device = dist.device
    env, policy, optimizer, buf = setup(cfg, device, dist)
    learner = dist.wrap(Minibatch(policy))  # under torchrun: rank 0's weights and obs_offset
    T, n = ppo["num_steps"], env.num_agents
    batch_size = T * n * dist.world
    total_steps = max(1, cfg["total_steps"] // batch_size) * batch_size  # whole updates
    run = Run(cfg, out_dir, env, policy, optimizer, dist, total_steps,
              resume=resume, stream=stream, minutes=minutes)
    if resume:
        env.reset(cfg["seed"] + dist.rank * SEED_STRIDE + 7919 * run.update)  # new seeds
    shaping = RewardShaping(env.spec, ppo, T, n)
    state = policy.initial_state(n, device)
    next_done = torch.zeros(n)

    # Counted in steps, not updates: a run resumed with another batch size (other
    # num_envs or env_mix) still ends at total_steps and anneals over them.
    while run.global_step < total_steps:
        timer = {"env": 0.0, "forward": 0.0, "update": 0.0}
        update_start = time.perf_counter()
        if ppo["anneal_lr"]:
            frac = max(0.0, 1.0 - run.global_step / total_steps)
            optimizer.param_groups[0]["lr"] = frac * ppo["learning_rate"]
        # Optional fresh games: every env restarts (the episodes in progress end as if
        # truncated: the last update already bootstrapped them from their value).
        if ppo["reset_every"] and run.update > 0 and run.update % ppo["reset_every"] == 0:
            env.reset(cfg["seed"] + dist.rank * SEED_STRIDE + 7919 * run.update)
            next_done = torch.ones(n)

        state, next_done, stats = iteration(env, policy, learner, optimizer, buf, state,
                                            next_done, shaping, ppo, device, timer)
        if run.end_update(batch_size, time.perf_counter() - update_start, stats, timer,
                          env.log()):
            break

    env.close()
    summary = run.finish()
    dist.close()
    return summary
