"""``autograd.functional``: derivatives of a whole function, PyTorch's ``jacobian``, ``hessian``, ``vjp``, ``jvp``,
``hvp`` and ``vhp``, built on ``autograd.grad``.

For f: R^n -> R^m with Jacobian J (m x n):

* ``vjp(f, x, v)`` = vᵀJ — one reverse pass (what ``backward`` computes);
* ``jvp(f, x, v)`` = J v — by the **double-backward trick**: the reverse pass ``g(u) = uᵀJ`` is linear in the
  cotangent ``u``, so differentiating it with respect to ``u`` along ``v`` gives ``J v``. It needs the VJPs to
  be differentiable, which every minidl op's is (they are written with ops);
* ``jacobian(f, x)`` = J, one reverse pass per output element (row by row);
* ``hessian(f, x)`` = the Jacobian of the gradient of a scalar f; ``vhp`` = vᵀH and ``hvp`` = H v.

Inputs are a tensor or a tuple of tensors; results follow the same nesting (a tensor in, a tensor out). Unless
``create_graph``, the results are detached. With ``strict``, an output that does not depend on an input is an
error instead of a block of zeros. ``vectorize`` and the "forward-mode" strategy are speed options in PyTorch;
here the same values come from the reverse-mode loop.
"""
from ..creation import zeros_like
from ..engine import grad as autograd_grad
from ..grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from ..tensor import Tensor
from ... import ops

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(value, arg_name, fn_name):
    """(was it a tuple, the tensors as a tuple); anything but a tensor or a tuple of tensors is a TypeError."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"the value at index {i} has type {type(v)}" if is_tuple else \
                f"the given {arg_name} has type {type(v)}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"{where}.")
    return is_tuple, values


def _unpack(result, is_tuple):
    return result if is_tuple else result[0]


def _prepare(inputs, create_graph, need_graph):
    """Fresh tensors to differentiate with respect to. With ``create_graph``, an input that requires grad stays
    connected to its own history (it is used itself), so that the result can be differentiated further."""
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(need_graph) for x in inputs)


def _finish(tensors, create_graph):
    return tensors if create_graph else tuple(t.detach() for t in tensors)


def _validate_v(v, other, is_other_tuple):
    if len(v) != len(other):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
                           if is_other_tuple else "The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if tuple(a.shape) != tuple(b.shape):
            where = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.shape} but got {a.shape}.")


_INDEPENDENT = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs must be computed "
               "in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the user-provided "
                   "function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided function with respect to "
                "input {i} is independent of the input. This is not allowed in strict mode. You should ensure that "
                "your function is twice differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).",
}


def _check_requires_grad(tensors, kind, strict):
    """In strict mode, every tensor must depend on the inputs (require grad)."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_INDEPENDENT[kind].format(i=i))


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` over the outputs that require grad only (None for every input when none does), unused
    inputs giving None."""
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return autograd_grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs], retain_graph=retain_graph,
                         create_graph=create_graph, allow_unused=True)


_NONE_MESSAGE = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in strict "
            "mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in strict "
                  "mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not allowed in "
                   "strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the double "
                         "backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Zeros (shaped like ``refs``) where a gradient is None — an error instead in strict mode."""
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_NONE_MESSAGE[stage].format(i=i))
            g = zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is not "
                               "allowed in strict mode when create_graph=True.")
        result.append(g)
    return tuple(result)


def _cotangent(v, reference, create_graph, fn_name, is_reference_tuple, when_none):
    """``v`` as a checked tuple (shapes of ``reference``); None is allowed only for one single-element tensor."""
    if v is None:
        if len(reference) != 1 or reference[0].numel() != 1:
            raise RuntimeError(when_none)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _prepare(v, create_graph, need_graph=False)
    _validate_v(v, reference, is_reference_tuple)
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ J)``: the output, and the vector-Jacobian product for the cotangent ``v`` (shaped like
    the output; may be left out for a one-element output)."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        _check_requires_grad(outputs, "outputs", strict)
        v = _cotangent(v, outputs, create_graph, "vjp", is_outputs_tuple, "The vector v can only be None if the "
                       "user-provided function returns a single Tensor with a single element.")
    with set_grad_enabled(create_graph or is_grad_enabled()):
        result = _fill_in_zeros(_grad(outputs, inputs, v, create_graph), inputs, strict, create_graph, "back")
    return (_unpack(_finish(outputs, create_graph), is_outputs_tuple),
            _unpack(_finish(result, create_graph), is_inputs_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the output, and the Jacobian-vector product for the tangent ``v`` (shaped like
    the inputs; may be left out for a one-element input), by the double-backward trick."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _cotangent(v, inputs, create_graph, "jvp", is_inputs_tuple, "The vector v can only be None if the input "
                       "to the user-provided function is a single Tensor with a single element.")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # g(u) = uᵀJ is linear in u: its value at u = 0 does not matter, only its graph
        u = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, u, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        result = _fill_in_zeros(_grad(grad_inputs, u, v, create_graph), outputs, strict, create_graph, "back_trick")
    return (_unpack(_finish(outputs, create_graph), is_outputs_tuple),
            _unpack(_finish(result, create_graph), is_outputs_tuple))


def _check_strategy(strategy, vectorize, create_graph, strict):
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` and '
                                      '`strategy="forward-mode"` are not supported together (yet). Please either set '
                                      '`create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
                                      "implemented for `vectorize=True`.")
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                           "supported together. Please either set `strict=False` or `vectorize=False`.")


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for output i and input j a tensor of shape
    ``outputs[i].shape + inputs[j].shape``, nested like the outputs and inputs (a tensor for tensor in and out).
    Computed row by row: one reverse pass per output element, with the one-hot cotangent of that element — or,
    with ``strategy='forward-mode'`` where a complex number is involved, column by column (``jvp``), which gives
    ∂f/∂z as PyTorch's forward mode does (rows would give its conjugate)."""
    _check_strategy(strategy, vectorize, create_graph, strict)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outputs, "outputs", strict)
        complex_outputs = [out for out in outputs if out.is_complex()]
        if strategy == "forward-mode" and (complex_outputs or any(x.is_complex() for x in inputs)):
            jacobians = _columns(func, inputs, outputs, create_graph, strict)
        elif complex_outputs:  # (row by row, the one-hot cotangents would give conj(J))
            raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                               f"{complex_outputs[0].dtype} (jacobian of a complex output: use "
                               f"strategy='forward-mode', vectorize=True)")
        else:
            jacobians = _rows(inputs, outputs, create_graph, strict)
    jacobians = tuple(_finish(row, create_graph) for row in jacobians)
    if not is_inputs_tuple:
        jacobians = tuple(row[0] for row in jacobians)
    return _unpack(jacobians, is_outputs_tuple)


def _columns(func, inputs, outputs, create_graph, strict):
    """The Jacobian column by column, J eₖ for each one-hot tangent eₖ of each input (``jvp``): right for complex
    inputs and outputs too, where J is ∂f/∂z (PyTorch's forward mode)."""
    columns = [[[] for _ in inputs] for _ in outputs]  # [output][input]: one column per input element
    for j, x in enumerate(inputs):
        for k in range(x.numel()):
            tangents = [zeros_like(other) for other in inputs]
            flat = tangents[j].reshape(-1)
            flat[k] = 1
            _, products = jvp(func, tuple(inputs), tuple(tangents), create_graph=create_graph, strict=strict)
            for i, product in enumerate(products if isinstance(products, tuple) else (products,)):
                columns[i][j].append(product)
    return [tuple(_stacked(cols, out, x, -1) for cols, x in zip(per_output, inputs))
            for per_output, out in zip(columns, outputs)]


def _rows(inputs, outputs, create_graph, strict):
    """The Jacobian row by row: one reverse pass per output element, with that element's one-hot cotangent."""
    jacobians = []
    for i, out in enumerate(outputs):
        rows = [[] for _ in inputs]
        for k in range(out.numel()):
            one_hot = zeros_like(out).reshape(-1)
            one_hot[k] = 1
            grads = _grad((out,), inputs, (one_hot.reshape(tuple(out.shape)),), create_graph, retain_graph=True)
            for j, (g, x) in enumerate(zip(grads, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                           f"{j}. This is not allowed in strict mode.")
                    g = zeros_like(x)
                elif strict and create_graph and not g.requires_grad:
                    raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}. "
                                       "This is not allowed in strict mode when create_graph=True.")
                rows[j].append(g)
        jacobians.append(tuple(_stacked(r, out, x, 0) for r, x in zip(rows, inputs)))
    return jacobians


def _stacked(parts, out, x, dim):
    """The rows (``dim`` 0: gradients of the output's elements) or columns (-1: products with the input's one-hot
    tangents) of a Jacobian block as one tensor of shape out.shape + x.shape."""
    shape = tuple(out.shape) + tuple(x.shape)
    if not parts:  # an output, or an input, without elements: an empty block of the parts' dtype
        return zeros_like(x if dim == 0 else out).reshape(-1)[:0].reshape(shape)
    return ops.reshape(ops.stack(parts, dim), shape)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a function with a single-element output: the Jacobian of its gradient. For inputs i, j a
    tensor of shape ``inputs[i].shape + inputs[j].shape`` (nested as a tuple of tuples for tuple inputs)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs):
        out = func(*xs)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(outs, "outputs", strict)
        if is_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single "
                               "element")
        return ops.reshape(out, ())

    def gradient(*xs):
        g = jacobian(scalar_func, xs, create_graph=True)
        _check_requires_grad(g, "jacobian", strict)
        return g

    result = jacobian(gradient, inputs, create_graph, strict, vectorize, outer_jacobian_strategy)
    if not is_inputs_tuple:
        result = result[0][0]
    return result


def _hessian_product(name, func, inputs, v, create_graph, strict, double_backward):
    """``(func(inputs), product)`` with the Hessian: vᵀH (``vhp``) or, by the double-backward trick, H v
    (``hvp``). The two agree wherever H is symmetric (f twice continuously differentiable)."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _cotangent(v, inputs, create_graph, name, is_inputs_tuple, "The vector v can only be None if the input to "
                       "the user-provided function is a single Tensor with a single element.")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", name)
        _check_requires_grad(outputs, "outputs", strict)
        if is_outputs_tuple or not isinstance(outputs[0], Tensor):
            raise RuntimeError(f"The function given to {name} should return a single Tensor")
        if outputs[0].numel() != 1:
            raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
        jac = _grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        if double_backward:
            u = tuple(zeros_like(x, requires_grad=True) for x in inputs)
            linear = _grad(jac, inputs, u, create_graph=True)  # uᵀH, linear in u
    with set_grad_enabled(create_graph or is_grad_enabled()):
        if double_backward:
            result = _fill_in_zeros(_grad(linear, u, v, create_graph), inputs, strict, create_graph,
                                    "double_back_trick")
        else:
            result = _fill_in_zeros(_grad(jac, inputs, v, create_graph), inputs, strict, create_graph, "double_back")
    return (_finish(outputs, create_graph)[0], _unpack(_finish(result, create_graph), is_inputs_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), vᵀ H)`` for a function with a single-element output."""
    return _hessian_product("vhp", func, inputs, v, create_graph, strict, double_backward=False)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a function with a single-element output."""
    return _hessian_product("hvp", func, inputs, v, create_graph, strict, double_backward=True)
