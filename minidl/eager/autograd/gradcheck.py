"""``gradcheck`` / ``gradgradcheck``: compare analytical gradients with central differences, for users' ops.

For f: R^n -> R^m the Jacobian J has one column per input element. Numerically, column j is

    (f(x + eps e_j) - f(x - eps e_j)) / (2 eps)          (error O(eps^2); float64 keeps rounding small)

and analytically row i is the VJP of the one-hot cotangent e_i. The two Jacobians must agree within
``atol + rtol * |numerical|``. Inputs should be float64: in float32 the rounding error of f swamps the check.
The inputs may live on any device; the Jacobians are compared on the host.
"""
import warnings

import numpy

from ...backend import host_array, to_device
from ..engine import grad as autograd_grad
from ..grad_mode import enable_grad, no_grad
from ..tensor import Tensor


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(func, inputs):
    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]


def _real_coordinates(array):
    """The real numbers ``array`` holds, as one flat float64 vector: its elements, or for a complex array all the
    real parts, then all the imaginary parts — the coordinates in which a complex function is a real one."""
    array = host_array(array).reshape(-1)
    if array.dtype.kind == "c":
        return numpy.concatenate([array.real, array.imag]).astype(numpy.float64)
    return array.astype(numpy.float64)


def _size(tensor):
    """How many real coordinates ``tensor`` has (``_real_coordinates``)."""
    return tensor.numel() * (2 if tensor.dtype.kind == "c" else 1)


def _numerical_jacobians(func, inputs, wrt, eps):
    """One matrix per (output, input), in real coordinates: numerical[o][k] has shape (_size(output),
    _size(inputs[wrt[k]])). A complex input element is moved along the real and then the imaginary axis."""
    with no_grad():
        n_out = [_size(o) for o in _outputs(func, inputs)]
        jac = [[numpy.zeros((n, _size(inputs[i]))) for i in wrt] for n in n_out]
        for k, i in enumerate(wrt):
            flat = inputs[i]._data.reshape(-1)  # a view: perturbing it perturbs the input
            steps = (eps, eps * 1j) if flat.dtype.kind == "c" else (eps,)
            for axis, step in enumerate(steps):
                for j in range(flat.size):
                    original = flat[j].item()  # a number: on cupy, flat[j] is a view the writes below would change
                    flat[j] = original + step
                    plus = [_real_coordinates(o._data) for o in _outputs(func, inputs)]
                    flat[j] = original - step
                    minus = [_real_coordinates(o._data) for o in _outputs(func, inputs)]
                    flat[j] = original
                    for o, (p, m) in enumerate(zip(plus, minus)):
                        jac[o][k][:, axis * flat.size + j] = (p - m) / (2 * eps)
    return jac


def _analytical_jacobians(func, inputs, wrt):
    """The same matrices from VJPs. The VJP of a cotangent g is the gradient ∂L/∂x + i ∂L/∂y of the real
    L = Re(Σ conj(g) · out) (PyTorch's convention), so the cotangent 1 at an output element gives the row of its
    real part, and 1j the row of its imaginary part."""
    outputs = _outputs(func, inputs)
    jac = [[numpy.zeros((_size(o), _size(inputs[i]))) for i in wrt] for o in outputs]
    for o, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for row in range(_size(out)):
            cotangent = numpy.zeros(out.numel(), dtype=out.dtype)
            cotangent[row % out.numel()] = 1 if row < out.numel() else 1j
            cotangent = Tensor._make(to_device(cotangent.reshape(out._data.shape), out.device))
            grads = autograd_grad(out, [inputs[i] for i in wrt], cotangent, retain_graph=True, allow_unused=True)
            for k, g in enumerate(grads):
                if g is not None:
                    jac[o][k][row] = _real_coordinates(g._data)
    return jac


def _forward_jacobians(func, inputs, wrt):
    """The same matrices from forward mode (``forward_ad``): the tangent e_j at input element j gives column j of
    the Jacobian — for a complex element, the tangent 1j e_j the column of its imaginary part. It runs an
    ``autograd.Function``'s own ``jvp``, which the reverse-mode check never calls."""
    from . import forward_ad  # (it builds on the reverse-mode machinery this module checks)
    jac = None
    for k, i in enumerate(wrt):
        x = inputs[i]
        for column in range(_size(x)):
            tangent = numpy.zeros(x.numel(), dtype=x.dtype)
            tangent[column % x.numel()] = 1 if column < x.numel() else 1j
            with forward_ad.dual_level():
                args = list(inputs)
                args[i] = forward_ad.make_dual(x.detach(), Tensor._make(to_device(tangent.reshape(x._data.shape),
                                                                                  x.device)))
                outputs = _outputs(func, args)
                tangents = [forward_ad.unpack_dual(o).tangent for o in outputs]
            if jac is None:
                jac = [[numpy.zeros((_size(o), _size(inputs[j]))) for j in wrt] for o in outputs]
            for o, t in enumerate(tangents):
                if t is not None:
                    jac[o][k][:, column] = _real_coordinates(t._data)
    return jac


_PYTORCH_OPTIONS = {"nondet_tol", "check_undefined_grad", "check_grad_dtypes", "check_batched_grad",
                    "check_batched_forward_grad", "fast_mode", "masked",
                    "gen_non_contig_grad_outputs", "check_fwd_over_rev", "check_rev_over_rev"}


def _check_options(name, options):
    unknown = sorted(set(options) - _PYTORCH_OPTIONS)
    if unknown:
        raise TypeError(f"{name}() got unexpected keyword arguments {unknown}")


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, check_backward_ad=True,
              check_forward_ad=False, **options):
    """True if ``func``'s analytical gradients match central differences for every input requiring grad: those
    of reverse mode (the VJPs, ``check_backward_ad``) and, with ``check_forward_ad``, those of forward mode (the
    JVPs, an ``autograd.Function``'s own ``jvp`` among them). Complex inputs and outputs are checked in real
    coordinates (real and imaginary parts: ``_real_coordinates``). PyTorch's other options (``fast_mode``,
    ``nondet_tol``, ``check_undefined_grad``, ...) choose among its extra checks; they are accepted, and the
    full checks are made."""
    _check_options("gradcheck", options)
    inputs = _as_tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor with requires_grad=True")
    for i in wrt:
        if inputs[i].dtype not in (numpy.float64, numpy.complex128):  # PyTorch's warning: the check goes on, and fails
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating point "
                          "or complex. (In lower precision the finite differences are dominated by rounding error.)",
                          UserWarning, stacklevel=2)
    numerical = _numerical_jacobians(func, inputs, wrt, eps)
    checks = [("", _analytical_jacobians)] if check_backward_ad else []
    checks += [(" (forward AD)", _forward_jacobians)] if check_forward_ad else []
    for mode, jacobians in checks:
        analytical = jacobians(func, inputs, wrt)
        if not numerical or len(numerical) != len(analytical):
            raise GradcheckError(f"gradcheck: the function returned {len(numerical)} outputs without gradient "
                                 f"tracking and {len(analytical)} with it; it must return at least one tensor, the "
                                 f"same each call")
        for o, (num_row, ana_row) in enumerate(zip(numerical, analytical)):
            for k, (num, ana) in enumerate(zip(num_row, ana_row)):
                if not numpy.allclose(ana, num, rtol=rtol, atol=atol):
                    if not raise_exception:
                        return False
                    raise GradcheckError(f"Jacobian mismatch{mode} for output {o} with respect to input {wrt[k]},\n"
                                         f"numerical:{num}\nanalytical:{ana}\n")
    return True


def _random_like(rng, array):
    """Standard normal numbers of ``array``'s shape, complex ones for a complex array — an array also for a 0-d
    one (numpy's draws of shape () are Python numbers; a tensor made of one could not be perturbed in place, and
    gradgradcheck's finite differences with respect to a 0-d complex cotangent came out 0)."""
    values = rng.standard_normal(array.shape)
    return numpy.asarray(values + 1j * rng.standard_normal(array.shape) if array.dtype.kind == "c" else values)


def gradgradcheck(func, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
                  **options):
    """``gradcheck`` of the first derivative: checks that the backward pass is itself differentiable correctly.

    It differentiates ``(inputs, v) -> vjp(func at inputs, v)`` with random float64 (complex128 for complex
    outputs) cotangents ``v`` (or the given ``grad_outputs``), which are checked as inputs too.
    """
    _check_options("gradgradcheck", options)
    inputs = _as_tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = numpy.random.default_rng(0)
        grad_outputs = [Tensor._make(to_device(_random_like(rng, o._data), o.device)).requires_grad_()
                        for o in outputs]
    grad_outputs = list(_as_tuple(grad_outputs))
    n = len(inputs)

    def first_derivative(*args):
        # gradcheck evaluates this under no_grad for its finite differences; the VJP must still be recorded
        with enable_grad():
            xs, vs = args[:n], args[n:]
            outs = [o for o in _outputs(func, xs) if o.requires_grad]
            return autograd_grad(outs, [xs[i] for i in wrt], list(vs[:len(outs)]), create_graph=True,
                                 materialize_grads=True)
    return gradcheck(first_derivative, inputs + tuple(grad_outputs), eps, atol, rtol, raise_exception)
