"""``DistributedDataParallel``: data-parallel training with one process per replica. Each process wraps its copy
of the model; at construction rank 0's parameters and buffers are broadcast to all, so the replicas start equal.
During ``backward`` each parameter's post-accumulate-grad hook counts it as ready; when the last parameter that
requires grad is ready, the wrapper all-reduces every gradient (one flat buffer, summed in rank order as
``distributed.all_reduce`` does) and divides by the world size. Every replica then holds the same averaged
gradient, the optimizer makes the same step everywhere, and the replicas stay equal. (PyTorch reduces buckets of
gradients while the backward still runs; the averages are the same.)

Inside ``no_sync()`` the hooks do not reduce: gradients accumulate locally, and the first backward outside it
averages the accumulated sums. Every parameter that requires grad must get a gradient in each backward
(PyTorch's ``find_unused_parameters`` is not offered): otherwise the next forward raises, as PyTorch's does.
"""
from contextlib import contextmanager

import numpy

from ... import distributed
from ...grad_mode import no_grad
from ...tensor import Tensor
from ..module import Module


class DistributedDataParallel(Module):
    """``DistributedDataParallel(module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
    process_group=None, ...)``: ``module``'s gradients averaged over the process group (module docstring)."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, **kwargs):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got {type(module).__name__}")
        if find_unused_parameters:
            raise NotImplementedError("DistributedDataParallel: find_unused_parameters=True is not supported: "
                                      "every parameter that requires grad must receive a gradient")
        self.module = module
        self.process_group = distributed.process_group.group_or_default(process_group)
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim
        self.broadcast_buffers = broadcast_buffers
        self.require_backward_grad_sync = True
        self._trained = [p for p in module.parameters() if p.requires_grad]
        if not self._trained:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        self._ready = 0
        root = self.process_group.ranks[0]
        for tensor in (*module.parameters(), *module.buffers()):
            distributed.broadcast(tensor, root, self.process_group)
        for parameter in self._trained:
            parameter.register_post_accumulate_grad_hook(self._gradient_ready)

    def _gradient_ready(self, parameter):
        self._ready += 1
        if self._ready < len(self._trained):
            return
        self._ready = 0
        if self.require_backward_grad_sync:
            self._average_gradients()

    def _average_gradients(self):
        grads = [p.grad.detach().cpu().numpy() for p in self._trained]
        flat = Tensor._make(numpy.concatenate([g.reshape(-1) for g in grads]))
        distributed.all_reduce(flat, op=distributed.ReduceOp.AVG, group=self.process_group)
        averaged = flat.numpy()
        start = 0
        with no_grad():
            for parameter, grad in zip(self._trained, grads):
                parameter.grad.copy_(Tensor._make(averaged[start:start + grad.size].reshape(grad.shape)))
                start += grad.size

    def forward(self, *inputs, **kwargs):
        if self._ready:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. This error "
                "indicates that your module has parameters that were not used in producing loss; every parameter "
                "that requires grad must receive a gradient in each backward (minidl's DistributedDataParallel has "
                "no find_unused_parameters).")
        if self.broadcast_buffers and self.require_backward_grad_sync:
            root = self.process_group.ranks[0]
            for buffer in self.module.buffers():
                distributed.broadcast(buffer, root, self.process_group)
        return self.module(*inputs, **kwargs)

    @contextmanager
    def no_sync(self):
        """Gradients accumulate locally, without averaging, until the context ends."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous
