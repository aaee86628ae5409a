"""Module backward hooks: ``register_full_backward_hook`` / ``register_full_backward_pre_hook`` (PyTorch's
semantics).

A module is no single node of the tape — its forward may record many ops — so "the gradient with respect to the
module's inputs and outputs" needs two markers around the call, each an identity ``autograd.Function``:

    inputs --[InputMarker]--> forward(...) --[OutputMarker]--> outputs

In the backward pass the output marker runs first: it sees the gradients of the outputs (``grad_output``; None
for an output that got none), gives them to the pre-hooks (which may replace them), and passes them on. When
the gradients reach the input marker, the gradients of the inputs are complete (``grad_input``): the hooks see
``(module, grad_input, grad_output)`` and may return a replacement ``grad_input``.

As in PyTorch: ``grad_input`` has one entry per positional argument — None for non-tensors, zeros for a tensor
input that did not receive a gradient; keyword arguments are not included. If no input requires grad, the hooks
fire at the output marker with ``grad_input`` all None (and a warning). Every call of the module sets up fresh
markers, so each backward pass reports the call it goes through.
"""
import warnings

from ..creation import zeros_like
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor
from ..autograd.function import Function


class _Relay:
    """The state one module call shares between its two markers."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_tensors = None   # positions of the inputs that were marked (None: no input requires grad)
        self.inputs = ()            # the arguments, for the shapes of zero gradients
        self.n_outputs = 0
        self.output_tensors = None  # positions of the outputs that were marked

    # ---------------------------------------------------------------------------------------------- inputs
    def mark_inputs(self, args):
        self.n_inputs, self.inputs = len(args), args
        marked = _marked_positions(args)
        if marked is None:
            return args
        self.input_tensors = marked
        outs = _InputMarker.apply(self, *(args[i] for i in marked))
        return _replace(args, marked, outs if isinstance(outs, tuple) else (outs,))

    def input_gradients(self, grads):
        """At the input marker: call the hooks with the complete grad_input; returns the gradients to pass on."""
        if self.grad_outputs is None:  # the gradient came here without passing through the outputs
            return grads
        grad_input = [None] * self.n_inputs
        for i, arg in enumerate(self.inputs):
            if isinstance(arg, Tensor):
                grad_input[i] = zeros_like(arg)  # materialised, as PyTorch does for inputs that got no gradient
        for i, g in zip(self.input_tensors, grads):
            if g is not None:
                grad_input[i] = g
        grad_input = tuple(grad_input)
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is None:
                continue
            if len(result) != len(grad_input):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(result)}, but "
                                   f"expected {len(grad_input)}")
            grad_input = tuple(result)
        self.grad_outputs = None
        return tuple(grad_input[i] for i in self.input_tensors)

    # --------------------------------------------------------------------------------------------- outputs
    def mark_outputs(self, output):
        outputs = output if isinstance(output, tuple) else (output,)
        self.n_outputs = len(outputs)
        marked = _marked_positions(outputs)
        if marked is None:
            return output
        self.output_tensors = marked
        self._received = [None] * len(marked)
        outs = _OutputMarker.apply(self, *(outputs[i] for i in marked))
        outs = outs if isinstance(outs, tuple) else (outs,)
        for k, t in enumerate(outs):  # note which outputs receive a gradient (the node turns a missing one into 0)
            t.register_hook(self._receiver(k))
        outputs = _replace(outputs, marked, outs)
        return outputs if isinstance(output, tuple) else outputs[0]

    def _receiver(self, k):
        def receive(grad):
            self._received[k] = grad
        return receive

    def output_gradients(self):
        """At the output marker: grad_output (through the pre-hooks); returns the gradients to pass on."""
        grad_output = [None] * self.n_outputs
        for i, g in zip(self.output_tensors, self._received):
            grad_output[i] = g
        self._received = [None] * len(self.output_tensors)
        received = grad_output = tuple(grad_output)
        for hook in self.pre_hooks:
            result = hook(self.module, grad_output)
            if result is None:
                continue
            if len(result) != len(grad_output):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got {len(result)}, "
                                   f"but expected {len(grad_output)}")
            # a gradient a hook replaced by None is zero from here on (PyTorch's inputs then get zeros, not None)
            grad_output = tuple(zeros_like(old) if new is None and old is not None else new
                                for new, old in zip(result, received))
        self.grad_outputs = grad_output
        if self.input_tensors is None:
            self._fire_without_inputs()
        return tuple(grad_output[i] for i in self.output_tensors)

    def _fire_without_inputs(self):
        if self.hooks:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients.", UserWarning, stacklevel=2)
        grad_input = (None,) * self.n_inputs
        for hook in self.hooks:
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is not None and not (isinstance(result, tuple) and all(r is None for r in result)):
                raise RuntimeError("Backward hook for Modules where no input requires gradient should always return "
                                   "None or None for all gradients.")
        self.grad_outputs = None


def _marked_positions(values):
    """The positions of the tensors that require grad among ``values`` (None if there are none, or grad is off):
    only they go through a marker. The others get no gradient anyway."""
    positions = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
    return positions if positions and is_grad_enabled() else None


def _replace(values, positions, replacements):
    values = list(values)
    for i, r in zip(positions, replacements):
        values[i] = r
    return tuple(values)


class _InputMarker(Function):
    """Identity on the module's input tensors; its backward hands their gradients to the hooks."""

    @staticmethod
    def forward(ctx, relay, *tensors):
        ctx.relay = relay
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + ctx.relay.input_gradients(grads)


class _OutputMarker(Function):
    """Identity on the module's output tensors; its backward records grad_output and runs the pre-hooks."""

    @staticmethod
    def forward(ctx, relay, *tensors):
        ctx.relay = relay
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + ctx.relay.output_gradients()
