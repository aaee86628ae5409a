"""How the op table runs a spec: eager mode, and "infer" mode (static shape inference, as graph mode will use).

A mode turns numpy inputs into its kind of tensors, calls ``spec.fn`` with the op namespace, and gives back
numpy outputs (or, for gradients, numpy gradients), so every check is written once for all modes.
"""
import numpy as np

import minidl.ops as ops
from minidl.backend import device as parse_device, to_device
from minidl.ops.base import Spec, register_frontend


def as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def to_numpy(array):
    return to_device(array, parse_device("cpu"))


class EagerMode:
    name = "eager"

    def tensors(self, spec, arrays, device, dtype, requires_grad=False):
        import minidl.eager as eager
        out = []
        for i, a in enumerate(arrays):
            if i in spec.raw_inputs:
                out.append(eager.tensor(a, device=device))
            else:
                out.append(eager.tensor(a.astype(dtype), device=device,
                                        requires_grad=requires_grad and i in spec.grad_inputs))
        return out

    def forward(self, spec, arrays, device, dtype):
        outs = as_tuple(spec.fn(ops, *self.tensors(spec, arrays, device, dtype)))
        return [to_numpy(o._data) for o in self.select(spec, outs)]

    @staticmethod
    def select(spec, outs):
        return [outs[i] for i in spec.outputs] if spec.outputs is not None else list(outs)

    def vjp(self, spec, arrays, cotangents, device, create_graph=False):
        """Gradients of ``sum(output * cotangent)`` w.r.t. the spec's grad inputs, as float64 numpy arrays."""
        import minidl.eager as eager
        xs = self.tensors(spec, arrays, device, np.float64, requires_grad=True)
        outs = self.select(spec, as_tuple(spec.fn(ops, *xs)))
        cots = [eager.tensor(c, device=device) for c in cotangents]
        wanted = [xs[i] for i in spec.grad_inputs]
        grads = eager.autograd.grad(outs, wanted, cots, allow_unused=True)
        return [np.zeros_like(arrays[i]) if g is None else to_numpy(g._data) for g, i in zip(grads, spec.grad_inputs)]

    def second_order(self, spec, arrays, cotangents, directions, device):
        """Gradient of ``<vjp(x, cotangent), directions>`` w.r.t. the grad inputs (a Hessian-vector product)."""
        import minidl.eager as eager
        xs = self.tensors(spec, arrays, device, np.float64, requires_grad=True)
        outs = self.select(spec, as_tuple(spec.fn(ops, *xs)))
        cots = [eager.tensor(c, device=device) for c in cotangents]
        wanted = [xs[i] for i in spec.grad_inputs]
        grads = eager.autograd.grad(outs, wanted, cots, create_graph=True, allow_unused=True)
        total = None
        for g, d in zip(grads, directions):
            if g is not None and g.requires_grad:
                term = ops.sum(g * eager.tensor(d, device=device))
                total = term if total is None else total + term
        if total is None:
            return [np.zeros_like(arrays[i]) for i in spec.grad_inputs]
        second = eager.autograd.grad(total, wanted, allow_unused=True)
        return [np.zeros_like(arrays[i]) if g is None else to_numpy(g._data) for g, i in zip(second, spec.grad_inputs)]

    def jvp(self, spec, arrays, directions, device):
        """Forward mode (``autograd.forward_ad``): the tangents of the outputs when the grad inputs move along
        ``directions``, as float64 numpy arrays (zeros for an output that does not depend on them)."""
        import minidl.eager as eager
        from minidl.eager.autograd import forward_ad
        xs = self.tensors(spec, arrays, device, np.float64)
        with forward_ad.dual_level():
            for i, d in zip(spec.grad_inputs, directions):
                xs[i] = forward_ad.make_dual(xs[i], eager.tensor(d, device=device))
            outs = self.select(spec, as_tuple(spec.fn(ops, *xs)))
            tangents = [forward_ad.unpack_dual(o).tangent for o in outs]
        return [np.zeros(tuple(o.shape)) if t is None else to_numpy(t._data) for o, t in zip(outs, tangents)]


class SpecTensor:
    """A symbolic value that knows only its static shape and dtype: what graph mode's shape inference sees."""
    __slots__ = ("shape", "dtype")
    __array_ufunc__ = None

    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(shape) if shape is not None else None, np.dtype(dtype)

    @property
    def ndim(self):
        return len(self.shape)

    def __add__(self, other): return ops.add(self, other)
    def __radd__(self, other): return ops.add(other, self)
    def __sub__(self, other): return ops.sub(self, other)
    def __rsub__(self, other): return ops.sub(other, self)
    def __mul__(self, other): return ops.mul(self, other)
    def __rmul__(self, other): return ops.mul(other, self)
    def __truediv__(self, other): return ops.div(self, other)
    def __rtruediv__(self, other): return ops.div(other, self)
    def __pow__(self, other): return ops.pow(self, other)
    def __rpow__(self, other): return ops.pow(other, self)
    def __neg__(self): return ops.neg(self)
    def __matmul__(self, other): return ops.matmul(self, other)
    def __rmatmul__(self, other): return ops.matmul(other, self)


def _infer_apply(op, args, attrs):
    specs = [Spec(a.shape, a.dtype) if isinstance(a, SpecTensor) else Spec(np.shape(a), np.asarray(a).dtype)
             for a in args]
    result = op.infer(*specs, **attrs)
    if isinstance(result, Spec):
        return SpecTensor(result.shape, result.dtype)
    return tuple(SpecTensor(r.shape, r.dtype) for r in result)


register_frontend(SpecTensor, _infer_apply)


class InferMode:
    """Runs ``spec.fn`` on shape-only tensors; returns the inferred (shape, dtype) of each output."""
    name = "infer"

    def infer(self, spec, arrays, dtype):
        xs = [SpecTensor(a.shape, a.dtype if i in spec.raw_inputs else dtype) for i, a in enumerate(arrays)]
        outs = EagerMode.select(spec, as_tuple(spec.fn(ops, *xs)))
        return [(o.shape, o.dtype) for o in outs]


class GraphMode:
    """Builds the spec's computation as a static graph (placeholders fed with the inputs) and runs it in a
    Session; gradients come from ``gradients()``, i.e. from the VJPs adding nodes to the graph."""
    name = "graph"

    def _build(self, spec, arrays, dtype):
        import minidl.graph as tf
        graph = tf.Graph()
        with graph.as_default():
            xs = [tf.placeholder(a.dtype if i in spec.raw_inputs else dtype, a.shape) for i, a in enumerate(arrays)]
            outs = EagerMode.select(spec, as_tuple(spec.fn(ops, *xs)))
        feed = {x: (a if i in spec.raw_inputs else a.astype(dtype)) for i, (x, a) in enumerate(zip(xs, arrays))}
        return tf, graph, xs, outs, feed

    @staticmethod
    def _session(tf, graph, device):
        """A session on ``device``: a session takes the GPU whenever there is one, as TensorFlow's does, so the
        cpu parameter keeps it off with ``device_count={"GPU": 0}``."""
        config = tf.ConfigProto(device_count={"GPU": 0}) if device == "cpu" else None
        return tf.Session(graph=graph, config=config)

    def forward(self, spec, arrays, device, dtype):
        tf, graph, xs, outs, feed = self._build(spec, arrays, dtype)
        with self._session(tf, graph, device) as session:
            return [np.asarray(v) for v in session.run(outs, feed)]

    def _grads(self, tf, spec, xs, outs, cotangents):
        wanted = [xs[i] for i in spec.grad_inputs]
        pairs = [(o, c) for o, c in zip(outs, cotangents) if o.dtype.kind in "fc"]
        grads = tf.gradients([o for o, _ in pairs], wanted, [tf.constant(c, dtype=o.dtype) for o, c in pairs])
        # (a row lookup's gradient is an IndexedSlices, as in TF: its dense tensor is compared)
        return wanted, [None if g is None else tf.convert_to_tensor(g) for g in grads]

    def vjp(self, spec, arrays, cotangents, device):
        tf, graph, xs, outs, feed = self._build(spec, arrays, np.float64)
        with graph.as_default():
            wanted, grads = self._grads(tf, spec, xs, outs, cotangents)
        with self._session(tf, graph, device) as session:
            values = session.run([g for g in grads if g is not None], feed)
        it = iter(values)
        return [np.zeros_like(arrays[i]) if g is None else np.asarray(next(it)) for g, i in zip(grads, spec.grad_inputs)]

    def second_order(self, spec, arrays, cotangents, directions, device):
        tf, graph, xs, outs, feed = self._build(spec, arrays, np.float64)
        with graph.as_default():
            wanted, grads = self._grads(tf, spec, xs, outs, cotangents)
            terms = [ops.sum(g * tf.constant(d)) for g, d in zip(grads, directions) if g is not None]
            if not terms:
                return [np.zeros_like(arrays[i]) for i in spec.grad_inputs]
            total = terms[0]
            for t in terms[1:]:
                total = total + t
            second = tf.gradients(total, wanted)
        with self._session(tf, graph, device) as session:
            values = session.run([g for g in second if g is not None], feed)
        it = iter(values)
        return [np.zeros_like(arrays[i]) if g is None else np.asarray(next(it)) for g, i in zip(second, spec.grad_inputs)]
