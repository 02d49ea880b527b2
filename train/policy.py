"""The policy network: raw env observation in, action logits and state value out.

Everything about the architecture comes from the env spec (observation size, dtype,
grid height/width, value range, number of actions) and the config's [policy] table, so
the same module serves every env and exports unchanged to ONNX. Preprocessing happens
inside forward(), on the observation exactly as the C env writes it:

  * float32 vectors are mapped from [obs_low, obs_high] to [-1, 1];
  * uint8 grids of cell codes 0..obs_high become one-hot planes, built by comparing
    the observation with an arange of the codes and casting (Cast, Equal, Cast in ONNX,
    which onnxruntime-web runs on every backend).

Continuous-action envs (spec action_kind "continuous") get a Gaussian actor, as in
CleanRL's ppo_continuous_action.py: the actor outputs the mean of each action value and
a state-independent log standard deviation (a learned parameter, broadcast over the
batch); forward() then returns (mean, log_std, value).
"""
import numpy as np
import torch
from torch import nn

from envs.vector import head_width, is_continuous


def layer_init(layer, std=np.sqrt(2), bias=0.0):
    """Orthogonal weights, constant bias (the usual PPO initialisation)."""
    nn.init.orthogonal_(layer.weight, std)
    nn.init.constant_(layer.bias, bias)
    return layer


class Policy(nn.Module):
    """Shared encoder (one-hot/scale, then conv or MLP), then an actor and a critic head.

    forward(obs) -> (logits [batch, num_actions], value [batch]); with an LSTM
    forward(obs, h, c) -> (logits, value, h, c). Continuous actions: forward(obs) ->
    (mean [batch, action_dim], log_std [batch, action_dim], value [batch]).
    """

    def __init__(self, spec, hidden=128, layers=2, conv_channels=(), center_obs=False,
                 lstm=0):
        super().__init__()
        self.obs_size = int(spec["obs_size"])
        self.obs_dtype = spec["obs_dtype"]
        self.obs_height = int(spec["obs_height"])
        self.obs_width = int(spec["obs_width"])
        self.num_actions = int(spec["num_actions"])
        self.continuous = is_continuous(spec)
        self.action_dim = int(spec["action_dim"]) if self.continuous else 0
        if self.continuous and lstm:
            raise ValueError("an LSTM policy for continuous actions is not supported")
        if self.obs_height * self.obs_width != self.obs_size:
            raise ValueError(f"spec obs_size {self.obs_size} != obs_height x obs_width "
                             f"({self.obs_height} x {self.obs_width})")
        low, high = float(spec["obs_low"]), float(spec["obs_high"])
        self.center_obs = False

        if self.obs_dtype == "uint8":
            # Cell codes 0..obs_high, one plane each.
            self.num_codes = int(round(high)) + 1
            self.register_buffer("codes", torch.arange(self.num_codes, dtype=torch.float32))
            channels = self.num_codes
        elif self.obs_dtype == "float32":
            self.num_codes = 0
            center, half = (high + low) / 2.0, (high - low) / 2.0
            self.register_buffer("center", torch.tensor(center, dtype=torch.float32))
            self.register_buffer("inv_half", torch.tensor(1.0 / half if half > 0 else 1.0,
                                                          dtype=torch.float32))
            channels = 1
            # Optional per-feature offset, subtracted after scaling (set by the trainer
            # from the observations right after reset, then saved with the weights).
            self.center_obs = bool(center_obs)
            if self.center_obs:
                self.register_buffer("obs_offset", torch.zeros(self.obs_size))
        else:
            raise ValueError(f"unsupported observation dtype {self.obs_dtype!r}")

        # Convolutions only for grids; vectors (and grids without conv_channels) use an MLP.
        self.use_conv = bool(conv_channels) and self.obs_height > 1
        encoder = []
        if self.use_conv:
            in_ch = channels
            for out_ch in conv_channels:
                encoder += [layer_init(nn.Conv2d(in_ch, out_ch, 3, padding=1)), nn.ReLU()]
                in_ch = out_ch
            encoder.append(nn.Flatten())
            in_features = in_ch * self.obs_height * self.obs_width
        else:
            in_features = self.obs_size * channels
        for _ in range(layers):
            encoder += [layer_init(nn.Linear(in_features, hidden)), nn.ReLU()]
            in_features = hidden
        self.encoder = nn.Sequential(*encoder)
        self.lstm_size = int(lstm)
        self.recurrent = self.lstm_size > 0
        if self.recurrent:
            self.lstm = nn.LSTMCell(in_features, self.lstm_size)
            for name, param in self.lstm.named_parameters():
                if "bias" in name:
                    nn.init.constant_(param, 0)
                else:
                    nn.init.orthogonal_(param, 1.0)
            in_features = self.lstm_size
        outputs = head_width(spec)
        self.actor = layer_init(nn.Linear(in_features, outputs), std=0.01)
        if self.continuous:
            self.actor_logstd = nn.Parameter(torch.zeros(1, self.action_dim))
            # The bounds, for the deterministic (mean) actions of torch_act().
            self.register_buffer("action_low", torch.tensor(spec["action_low"],
                                                            dtype=torch.float32))
            self.register_buffer("action_high", torch.tensor(spec["action_high"],
                                                             dtype=torch.float32))
        # Turn-based envs carry a legal-action mask in the observation (envs/env.h):
        # illegal actions get a logit of -1e9 (zero probability, no gradient), in torch
        # and in the exported ONNX graph alike.
        self.mask_start = None
        if spec.get("turn_based") and spec.get("action_mask_obs") is not None:
            self.mask_start = int(spec["action_mask_obs"])
        self.critic = layer_init(nn.Linear(in_features, 1), std=1.0)

    def preprocess(self, obs):
        """Raw observation [batch, obs_size] (float32 or uint8) -> float features."""
        if self.obs_dtype == "uint8":
            x = obs.to(torch.float32).unsqueeze(-1)           # [B, obs_size, 1]
            x = (x == self.codes).to(torch.float32)           # [B, obs_size, codes]
            if self.use_conv:
                x = x.reshape(-1, self.obs_height, self.obs_width, self.num_codes)
                return x.permute(0, 3, 1, 2)                  # [B, codes, H, W]
            return x.reshape(-1, self.obs_size * self.num_codes)
        x = (obs.to(torch.float32) - self.center) * self.inv_half
        if self.center_obs:
            x = x - self.obs_offset
        return x

    @torch.no_grad()
    def set_obs_offset(self, obs):
        """Centers float inputs on the mean of `obs` [batch, obs_size] (center_obs only).

        Inputs that are constant at the start of an episode (breakout's 108 brick flags,
        all 1) then enter the network as 0 instead of a large constant that acts like a
        bias with a 108-fold learning rate; they move off 0 only when they change."""
        if not self.center_obs:
            raise ValueError("set_obs_offset needs a float policy built with center_obs")
        self.obs_offset.zero_()
        x = self.preprocess(torch.as_tensor(obs).to(self.obs_offset.device))
        self.obs_offset.copy_(x.mean(dim=0))

    def mask_logits(self, obs, logits):
        """Illegal actions of a turn-based env (0 in the observation's mask) get -1e9."""
        if self.mask_start is None:
            return logits
        mask = obs[:, self.mask_start:self.mask_start + self.num_actions]
        legal = mask.to(torch.float32) != 0.0
        return torch.where(legal, logits, torch.full_like(logits, -1e9))

    def forward(self, obs, h=None, c=None):
        hidden = self.encoder(self.preprocess(obs))
        if self.continuous:
            mean = self.actor(hidden)
            # Broadcast by arithmetic (not expand) so the ONNX graph knows its width.
            log_std = mean * 0.0 + self.actor_logstd
            return mean, log_std, self.critic(hidden).squeeze(-1)
        if not self.recurrent:
            return self.mask_logits(obs, self.actor(hidden)), self.critic(hidden).squeeze(-1)
        h, c = self.lstm(hidden, (h, c))
        return self.mask_logits(obs, self.actor(h)), self.critic(h).squeeze(-1), h, c

    def initial_state(self, batch, device=None):
        """Zero LSTM state (h, c) for `batch` agents; () for a feed-forward policy."""
        if not self.recurrent:
            return ()
        zeros = torch.zeros(batch, self.lstm_size, device=device)
        return zeros, zeros.clone()

    def _feedforward(self, obs):
        """A feed-forward policy's (logits, value), logits being (mean, log_std) for
        continuous actions (a continuous policy is never recurrent)."""
        out = self(obs)
        return (out[:2], out[2]) if self.continuous else out

    def step(self, obs, state, done):
        """One step for the trainer: (logits, value, state), logits being (mean, log_std)
        for continuous actions. `done` [batch] (float, 1 where `obs` starts a new episode)
        zeroes those agents' state first."""
        if not self.recurrent:
            return (*self._feedforward(obs), state)
        keep = (1.0 - done).unsqueeze(1)
        logits, value, h, c = self(obs, state[0] * keep, state[1] * keep)
        return logits, value, (h, c)

    def sequence(self, obs, state, dones):
        """A rollout replayed in order: obs [T, batch, ...], dones [T, batch], the state
        at its start -> logits [T * batch, A], value [T * batch] (rows in (t, agent)
        order, like the flattened rollout)."""
        if not self.recurrent:
            return self._feedforward(obs.reshape(-1, obs.shape[-1]))
        T, batch = dones.shape
        hidden = self.encoder(self.preprocess(obs.reshape(T * batch, -1)))
        hidden = hidden.reshape(T, batch, -1)
        h, c = state
        outs = []
        for t in range(T):
            keep = (1.0 - dones[t]).unsqueeze(1)
            h, c = self.lstm(hidden[t], (h * keep, c * keep))
            outs.append(h)
        out = torch.cat(outs)
        logits = self.mask_logits(obs.reshape(T * batch, -1), self.actor(out))
        return logits, self.critic(out).squeeze(-1)


def make_policy(spec, policy_config):
    """Builds the Policy for an env spec from the config's [policy] table."""
    cfg = dict(policy_config or {})
    return Policy(spec, hidden=int(cfg.get("hidden", 128)), layers=int(cfg.get("layers", 2)),
                  conv_channels=tuple(int(c) for c in cfg.get("conv_channels", ())),
                  center_obs=bool(cfg.get("center_obs", False)),
                  lstm=int(cfg.get("lstm", 0)))
