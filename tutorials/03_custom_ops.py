# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 3 — Writing your own differentiable ops
#
# Composing existing operations is usually all you need: autograd differentiates the composition for you.
# Sometimes it is not enough:
#
# * the composition is **numerically unstable** — a formula that is fine on paper overflows in floating point;
# * you want a gradient that is **not** the true derivative, on purpose (the "straight-through" trick used to
#   train through rounding or clamping);
# * a hand-written backward is much **faster** or lighter on memory than differentiating every little step.
#
# For these, PyTorch — and minidl's eager mode, which mirrors it — let you write an op as a pair of functions:
# a forward, and a backward that maps the gradient of the output to gradients of the inputs. This chapter
# writes a few, checks them against numerical derivatives with `gradcheck`, catches a bug with it, and then
# looks at how minidl's own built-in ops are defined.

# %%
import inspect
import warnings

import numpy as np

import minidl.eager as torchlike
from minidl.eager import autograd
from minidl.eager.autograd.gradcheck import GradcheckError  # where PyTorch keeps it too

torchlike.manual_seed(0)

# %% [markdown]
# ## The problem: softplus
#
# $\mathrm{softplus}(x) = \log(1 + e^x)$ is a smooth version of ReLU. Written literally, it breaks for large
# $x$: $e^{100}$ does not fit in a float32 (the largest is about $3.4\times10^{38}$, $e^{88.7}$), so the
# forward gives `inf`; and the gradient autograd derives from the formula,
# $\frac{1}{1 + e^x}\cdot e^x$, becomes $0 \cdot \infty$ = `nan`.

# %%
def softplus_naive(x):
    return (1 + x.exp()).log()


x = torchlike.tensor([-100.0, -1.0, 0.0, 1.0, 100.0], requires_grad=True)
with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    naive = softplus_naive(x)
    naive.sum().backward()
print("naive softplus:  ", naive)
print("its gradient:    ", x.grad)
naive_grad = x.grad.detach().numpy().copy()

# %% [markdown]
# The cure is an identity: $\log(1 + e^x) = \max(x, 0) + \log(1 + e^{-|x|})$. Now the exponent is never
# positive, so nothing overflows. The derivative is the logistic sigmoid, $\sigma(x) = 1/(1+e^{-x})$, which is
# stable too. We could write the stable forward as a composition and let autograd differentiate it — but then
# the backward pass would follow the `max` and the `abs` through their kinks, step by step. Since we know the
# derivative in closed form, we write it ourselves.
#
# ## `autograd.Function`
#
# Subclass `autograd.Function` and give it two static methods:
#
# * `forward(ctx, *inputs)` computes the result from tensors. It runs with recording switched off — what happens
#   inside is your business — and stores whatever the backward will need on `ctx`, the *context* object: tensors
#   through `ctx.save_for_backward(...)` (which lets autograd check they are not modified in place later),
#   anything else as plain attributes.
# * `backward(ctx, *grad_outputs)` receives the gradient of the loss with respect to each output and returns the
#   gradient with respect to each input (`None` for inputs that need none). It is a **vector-Jacobian
#   product**: for $y = f(x)$ it returns $g^\top \, \partial y/\partial x$, here simply $g\,\sigma(x)$
#   elementwise.
#
# You never call these directly: `Softplus.apply(x)` runs `forward` and, when `x` requires grad, puts a node on
# the tape whose backward step is your `backward`.

# %%
class Softplus(autograd.Function):
    """softplus(x) = log(1 + exp(x)), computed without overflow; d/dx = sigmoid(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.relu() + (-x.abs()).exp().log1p()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.sigmoid()


softplus = Softplus.apply

x = torchlike.tensor([-100.0, -1.0, 0.0, 1.0, 100.0], requires_grad=True)
y = softplus(x)
y.sum().backward()
print("stable softplus: ", y)
print("its gradient:    ", x.grad)

# %% [markdown]
# The node on the tape is named after the class:

# %%
print(y.grad_fn.name())

# %% [markdown]
# ## Checking a backward with `gradcheck`
#
# A hand-written backward is a hand-written bug waiting to happen. `autograd.gradcheck(fn, inputs)` compares
# it with the definition of the derivative: it nudges every input element by $\pm\varepsilon$, measures how each
# output moves (central differences, $(f(x+\varepsilon) - f(x-\varepsilon))/2\varepsilon$), and checks that the
# Jacobian this gives agrees with the one your backward implies. It returns `True`, or raises a `GradcheckError`
# that shows both (imported above from `autograd.gradcheck`, its home in PyTorch as well).
#
# Use **float64** inputs for it. A central difference has an error of order $\varepsilon^2$ from the curvature
# and of order $\text{rounding}/\varepsilon$ from cancellation; with float64's rounding of $10^{-16}$ and
# $\varepsilon = 10^{-6}$ both are tiny, but with float32's $10^{-7}$ the second would be about 0.1 — the check
# would drown in noise. (minidl's `gradcheck` refuses float32 inputs outright, with a message saying so.)

# %%
inputs = (torchlike.randn(5, 3, dtype=torchlike.float64, requires_grad=True),)
ok_softplus = autograd.gradcheck(softplus, inputs)
print("gradcheck(softplus):", ok_softplus)

# %% [markdown]
# Now a deliberately wrong backward. A sign slip is an easy mistake to make: $\sigma(-x)$ instead of
# $\sigma(x)$ (both are "the sigmoid thing", and $\sigma(-x) = 1 - \sigma(x)$ is the derivative of
# $\log(1 + e^{-x})$, a near neighbour). The forward is right, so every loss value looks fine, and training
# would just quietly go the wrong way. `gradcheck` catches it:

# %%
class BuggySoftplus(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.relu() + (-x.abs()).exp().log1p()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (-x).sigmoid()  # wrong: should be sigmoid(x)


small = (torchlike.randn(4, dtype=torchlike.float64, requires_grad=True),)
try:
    autograd.gradcheck(BuggySoftplus.apply, small)
    buggy_error = None
except GradcheckError as error:
    buggy_error = error
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# ## Several inputs: `ctx.needs_input_grad`
#
# An op with several inputs returns one gradient per input. Often only some of them are wanted — a layer's
# weights, say, but not its input data — and `ctx.needs_input_grad` (one bool per input) lets the backward
# skip the work for the others. Our example is $r = \sqrt{a^2 + b^2}$ elementwise, with
# $\partial r/\partial a = a/r$ and $\partial r/\partial b = b/r$; the backward reuses the saved output $r$.
#
# (The other piece of `ctx` you may meet is `ctx.mark_non_differentiable(t)`, for an op that also returns
# something that has no derivative — an index, a mask — so that autograd never tries to send a gradient
# through it.)

# %%
computed = []


class Hypot(autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        r = (a * a + b * b) ** 0.5
        ctx.save_for_backward(a, b, r)
        return r

    @staticmethod
    def backward(ctx, grad_output):
        a, b, r = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = grad_output * a / r
            computed.append("a")
        if ctx.needs_input_grad[1]:
            grad_b = grad_output * b / r
            computed.append("b")
        return grad_a, grad_b


a = torchlike.tensor([3.0, 5.0], requires_grad=True)
b = torchlike.tensor([4.0, 12.0])          # data: no gradient wanted
Hypot.apply(a, b).sum().backward()
computed_for_a = list(computed)
print("hypot grads computed for:", computed_for_a, "  a.grad =", a.grad)

a64 = (torchlike.rand(4, dtype=torchlike.float64) + 0.5).requires_grad_()  # keep r away from 0
b64 = torchlike.randn(4, dtype=torchlike.float64, requires_grad=True)
ok_hypot = autograd.gradcheck(Hypot.apply, (a64, b64))
print("gradcheck(hypot):", ok_hypot)

# %% [markdown]
# ## A gradient that is wrong on purpose: the straight-through clamp
#
# Clamping to $[-1, 1]$ has derivative 0 outside the interval: once a value is clamped, no gradient tells it to
# come back. Quantized networks face the same with rounding, whose derivative is 0 almost everywhere. The
# *straight-through estimator* keeps the forward but passes the gradient through unchanged, as if the op were
# the identity. That is a modelling decision, not calculus — and `gradcheck` says exactly that: inside the
# interval the identity *is* the derivative and the check passes; outside it fails.

# %%
class StraightThroughClamp(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(-1.0, 1.0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output  # pretend d clamp(x)/dx = 1 everywhere


x = torchlike.tensor([-3.0, -0.5, 0.25, 2.0], requires_grad=True)
StraightThroughClamp.apply(x).sum().backward()
print("forward:", StraightThroughClamp.apply(x.detach()), "  gradient:", x.grad)

inside = (torchlike.tensor([-0.5, 0.1, 0.7], dtype=torchlike.float64, requires_grad=True),)
outside = (torchlike.tensor([-3.0, 0.1, 2.0], dtype=torchlike.float64, requires_grad=True),)
ste_inside = autograd.gradcheck(StraightThroughClamp.apply, inside)
try:
    autograd.gradcheck(StraightThroughClamp.apply, outside)
    ste_outside = True
except GradcheckError as error:
    ste_outside = False
    print(f"outside [-1, 1]: {type(error).__name__}: {error}")
print("inside [-1, 1]: gradcheck passed:", ste_inside)

# %% [markdown]
# ## Second derivatives: `gradgradcheck`
#
# Look again at `Softplus.backward`: it computes `grad_output * x.sigmoid()` with ordinary tensor operations.
# When autograd runs a backward pass with `create_graph=True` (chapter 2), those operations are recorded like
# any others, so the gradient can be differentiated again — for free, nothing extra to write.
# `autograd.gradgradcheck` checks that this second derivative agrees with central differences of the first.

# %%
ok_gradgrad = autograd.gradgradcheck(softplus, inputs)
print("gradgradcheck(softplus):", ok_gradgrad)

# d²/dx² softplus = sigmoid(x) (1 - sigmoid(x)); see it directly:
x = torchlike.tensor([0.0, 2.0], dtype=torchlike.float64, requires_grad=True)
(first,) = autograd.grad(softplus(x).sum(), x, create_graph=True)
(second,) = autograd.grad(first.sum(), x)
s = 1 / (1 + np.exp(-np.array([0.0, 2.0])))
print("second derivative:", second, "  sigmoid(1 - sigmoid):", s * (1 - s))

# %% [markdown]
# Contrast a backward that leaves the world of tensors: it computes the sigmoid in numpy and wraps the result
# back up. The *first* derivative is exactly right (gradcheck passes), but the numpy detour is invisible to the
# tape, so the second derivative loses every path through $x$ — and `gradgradcheck` notices.

# %%
class NumpyBackwardSoftplus(autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.relu() + (-x.abs()).exp().log1p()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        sigmoid = torchlike.from_numpy(1 / (1 + np.exp(-x.detach().numpy())))  # the tape cannot see this
        return grad_output * sigmoid


ok_numpy_first = autograd.gradcheck(NumpyBackwardSoftplus.apply, inputs)
try:
    autograd.gradgradcheck(NumpyBackwardSoftplus.apply, inputs)
    numpy_gradgrad = True
except GradcheckError as error:
    numpy_gradgrad = False
    print(f"gradgradcheck: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
print("gradcheck still passed:", ok_numpy_first)

# %% [markdown]
# ## How minidl's built-in ops are defined
#
# `autograd.Function` is the user-facing way to add an op. Inside, minidl defines each of its own ops once, as
# a small stateless class deriving from `minidl.ops.Op`:
#
# * `forward(xp, *arrays, **attrs)` computes on raw arrays. `xp` is the array module — `numpy` on the CPU,
#   `cupy` on a GPU — so one forward serves both devices.
# * `vjp(ctx, *grads)` is the backward: one gradient per input (`None` where there is none). `ctx.inputs` are
#   the op's input tensors and `ctx.needs_input_grad` says which gradients are wanted.
# * `infer(*specs)` gives the output's shape and dtype without computing anything (graph mode uses it).
#
# Here is multiplication, exactly as it stands in `minidl/ops/arithmetic.py`:

# %%
from minidl.ops.arithmetic import Mul  # noqa: E402

mul_source = inspect.getsource(Mul)
print(mul_source)

# %% [markdown]
# Three things to notice.
#
# 1. The forward really is just `numpy.multiply`. We can call it on arrays ourselves, and calling the op on
#    tensors through `minidl.ops.apply` is what `a * b` does (after bringing both operands to one dtype):

# %%
from minidl import ops  # noqa: E402

print(Mul.forward(np, np.array([1.0, 2.0]), np.array([3.0, 4.0])))
p = torchlike.tensor([1.0, 2.0], requires_grad=True)
q = torchlike.tensor([3.0, 4.0])
print(ops.apply(Mul, p, q))

# %% [markdown]
# 2. `sum_to_like(g * b, a)` handles broadcasting: if `a` had shape `(3,)` and `b` shape `(2, 3)`, the product
#    was `(2, 3)`, and the gradient for `a` must be summed back down to `(3,)` — each element of `a` was used
#    twice. It takes `a` itself, not `a.shape`, because in graph mode a shape may be unknown until run time.
#
# 3. Most importantly, **the VJP is written with minidl ops** — `g * b` is itself a `Mul` — not with numpy.
#    That is the design choice the last experiment showed the value of:
#
#    * **higher-order gradients come free.** With `create_graph=True` the VJP's own operations are recorded, so
#      every built-in op can be differentiated again, and again;
#    * **the graph mode reuses it.** minidl also has a TensorFlow-1-style graph mode (a later chapter), where
#      tensors are symbolic: they have no values yet. There, `gradients(ys, xs)` calls the very same `vjp`
#      functions on symbolic tensors, and because `g * b` on symbolic tensors *adds a node to the graph*, the
#      backward pass becomes part of the graph — the way `tf.gradients` works. One definition, two front-ends.
#
#    The price is a rule: `forward` must be pure. Nothing it computes may be kept for the backward, because in
#    graph mode the backward graph is built before any forward has run; a VJP that needs the output asks for
#    it (`saves_outputs = True`, then `ctx.outputs`).
#
# Writing an `Op` yourself follows the same recipe — here $x^3$, with its VJP $3x^2 g$ in minidl ops. The same
# `gradcheck` and `gradgradcheck` accept it:

# %%
class Cube(ops.Op):
    """x³; d/dx = 3x²."""

    @staticmethod
    def forward(xp, x):
        return x * x * x

    @staticmethod
    def vjp(ctx, g):
        (x,) = ctx.inputs
        return (g * 3 * x * x,)

    @staticmethod
    def infer(x):
        return ops.Spec(x.shape, x.dtype)


def cube(x):
    return ops.apply(Cube, x)


c = cube(torchlike.tensor([2.0], requires_grad=True))
print(c, " node:", c.grad_fn.name())
ok_cube = autograd.gradcheck(cube, inputs) and autograd.gradgradcheck(cube, inputs)
print("gradcheck and gradgradcheck(cube):", ok_cube)

# %% [markdown]
# When to use which: `autograd.Function` is the public, PyTorch-compatible way, and the right one for your own
# models. An `Op` is how the library itself grows: it works in both eager and graph mode and on every device,
# in exchange for the stricter rules above.
#
# ## Checks

# %%
# the naive formula overflows; the custom op does not
assert np.isinf(naive.detach().numpy()[-1]) and np.isnan(naive_grad[-1])
assert np.allclose(y.detach().numpy(), [0.0, np.log1p(np.exp(-1.0)), np.log(2.0), 1 + np.log1p(np.exp(-1.0)),
                                        100.0], atol=1e-6)
assert np.allclose(softplus(torchlike.tensor([-100.0, -1.0, 0.0, 1.0, 100.0])).numpy()[[0, 4]], [0.0, 100.0])
assert "Softplus" in Softplus.apply(torchlike.ones(1, requires_grad=True)).grad_fn.name()

# gradcheck passes on correct backwards and raises on the wrong one
assert ok_softplus is True and buggy_error is not None
assert ok_hypot is True and computed_for_a == ["a"]
assert np.allclose(a.grad.numpy(), [3 / 5, 5 / 13])

# the straight-through estimator
assert ste_inside is True and ste_outside is False

# second derivatives
assert ok_gradgrad is True and np.allclose(second.numpy(), s * (1 - s))
assert ok_numpy_first is True
assert numpy_gradgrad is False, "gradgradcheck should reject a backward whose second derivative is lost"

# built-in ops
assert "def vjp(ctx, g)" in mul_source and "sum_to_like" in mul_source
assert ok_cube and c.item() == 8.0
print("chapter 3: all checks passed")
