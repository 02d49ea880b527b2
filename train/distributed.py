"""Learner processes under torchrun (torch.distributed), or a single one without it.

    torchrun --nproc_per_node N -m train --env NAME ...

torchrun sets RANK, WORLD_SIZE and LOCAL_RANK; each process then steps its own slice of
the envs and averages its gradients with the others through DistributedDataParallel (gloo
on CPUs, nccl on GPUs).
Without torchrun (WORLD_SIZE unset or 1) nothing here talks to anybody.
"""
import os

import torch
import torch.distributed as tdist
from torch.nn.parallel import DistributedDataParallel


class Learners:
    """rank/world/device of this process, and the few collective operations PPO needs."""

    def __init__(self, rank, world, device):
        self.rank, self.world, self.device = rank, world, device
        self.is_main = rank == 0

    def wrap(self, module):
        """The module to run the update's forward through: itself on one learner, else a
        DistributedDataParallel around it, which copies rank 0's parameters and buffers to
        every rank now and averages the gradients during each backward (in buckets that
        overlap with the backward itself)."""
        if self.world == 1:
            return module
        device_ids = [self.device] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=device_ids)

    def any(self, flag):
        """True on every rank if `flag` is true on any rank (stop decisions)."""
        if self.world == 1:
            return bool(flag)
        t = torch.tensor([1.0 if flag else 0.0], device=self.device)
        tdist.all_reduce(t, op=tdist.ReduceOp.MAX)
        return bool(t.item() > 0)

    def close(self):
        if self.world > 1 and tdist.is_initialized():
            tdist.destroy_process_group()


def pick_device(name=None, local_rank=0):
    """The torch device: `name` if given, else cuda when present, else cpu. Under torchrun
    a bare "cuda" becomes cuda:<LOCAL_RANK> (one GPU per process)."""
    if not name:
        name = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(name)
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", local_rank)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("--device cuda: this torch build or machine has no CUDA GPU")
        torch.cuda.set_device(device)
    return device


def init(device_name=None):
    """Joins the torchrun process group if there is one; returns this process's Learners."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = pick_device(device_name, local_rank)
    if world > 1 and not tdist.is_initialized():
        tdist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Learners(rank, world, device)
