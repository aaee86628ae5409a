"""torch.cond and torch.while_loop in eager mode: values, gradients (central differences in float64 and PyTorch's)
and the argument checks PyTorch makes (it traces both branches; minidl runs the other one aside)."""
import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import check_gradient

torch = pytest.importorskip("torch")
LIBRARIES = [T, torch]


def _numpy(tree):
    if isinstance(tree, (tuple, list)):
        return [_numpy(t) for t in tree]
    if isinstance(tree, dict):
        return {k: _numpy(v) for k, v in tree.items()}
    return tree.detach().numpy() if hasattr(tree, "detach") else tree


def _same(ours, theirs):
    assert type(ours) is type(theirs) or (hasattr(ours, "shape") and hasattr(theirs, "shape"))
    if isinstance(ours, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
    elif isinstance(ours, dict):
        assert list(ours) == list(theirs)
        for key in ours:
            _same(ours[key], theirs[key])
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


X = [0.3, -1.2, 0.7]

def _x(L):
    return L.tensor(X)


COND_CASES = {  # name -> (pred, true_fn, false_fn, operands) from the library
    "tensor pred, tuple operands": lambda L: (_x(L).sum() > 0, lambda x: x.sin(), lambda x: x.cos(), (_x(L),)),
    "false pred, list operands": lambda L: (_x(L).sum() > 5, lambda x, y: x * y, lambda x, y: x - y,
                                            [_x(L), _x(L).exp()]),
    "nested operands, tuple out": lambda L: (L.tensor([True]), lambda a, d: (a + d["b"], a.sum()),
                                             lambda a, d: (a - d["b"], a.mean()), (_x(L), {"b": _x(L) * 2})),
    "closures, no operands": lambda L: (L.tensor(1.0), lambda: L.tensor(X) * 2, lambda: L.tensor(X) * 3, ()),
    "python bool": lambda L: (False, lambda x: x.sin(), lambda x: x.tanh(), (_x(L),)),
    "ints returned": lambda L: (_x(L).sum() < 0, lambda x: (x.sin(), 3), lambda x: (x.cos(), 4), (_x(L),)),
}


@pytest.mark.parametrize("name", list(COND_CASES))
def test_cond_runs_the_branch_pred_picks_as_pytorch(name):
    results = [L.cond(*COND_CASES[name](L)) for L in LIBRARIES]
    _same(*[_numpy(r) for r in results])


def test_a_lone_output_and_its_one_tuple_are_the_same_structure_as_in_pytorch():
    for L in LIBRARIES:
        x = L.tensor(X)
        out = L.cond(L.tensor(True), lambda x: (x.sin(),), lambda x: x.cos(), (x,))
        assert isinstance(out, tuple) and len(out) == 1


COND_ERRORS = {  # name -> (pred, true_fn, false_fn, operands) from the library; each raises a RuntimeError
    "pred of two elements": lambda L: (L.tensor([True, False]), L.sin, L.cos, (_x(L),)),
    "pred a string": lambda L: ("yes", L.sin, L.cos, (_x(L),)),
    "branch not callable": lambda L: (L.tensor(True), 3, L.cos, (_x(L),)),
    "operands a tensor": lambda L: (L.tensor(True), L.sin, L.cos, _x(L)),
    "operand a number": lambda L: (L.tensor(True), lambda x, y: x.sin(), lambda x, y: x.cos(), (_x(L), 3)),
    "dtypes differ": lambda L: (L.tensor(True), lambda x: x.sin(), lambda x: x.double(), (_x(L),)),
    "dims differ": lambda L: (L.tensor(False), lambda x: x.sin()[None], lambda x: x.cos(), (_x(L),)),
    "structures differ": lambda L: (L.tensor(True), lambda x: (x.sin(), x.cos()), lambda x: (x.cos(),), (_x(L),)),
    "list against tuple": lambda L: (L.tensor(True), lambda x: [x.sin()], lambda x: (x.cos(),), (_x(L),)),
    "float returned": lambda L: (L.tensor(True), lambda x: 0.5, lambda x: 1.5, (_x(L),)),
    "int against tensor": lambda L: (L.tensor(True), lambda x: 3, lambda x: x.cos(), (_x(L),)),
    "input returned": lambda L: (L.tensor(False), lambda x: x.sin(), lambda x: x, (_x(L),)),
    "view of the input returned": lambda L: (L.tensor(True), lambda x: x.sin(), lambda x: x[:2], (_x(L),)),
}


@pytest.mark.parametrize("name", list(COND_ERRORS))
def test_cond_refuses_what_pytorch_refuses(name):
    for L in LIBRARIES:
        with pytest.raises(RuntimeError):
            L.cond(*COND_ERRORS[name](L))


def test_cond_branches_may_give_other_sizes_of_the_same_rank_as_in_pytorch():
    outs = [L.cond(L.tensor(False), lambda x: x.sin(), lambda x: x[:2].cos(), (_x(L),)) for L in LIBRARIES]
    _same(*[_numpy(o) for o in outs])


@pytest.mark.parametrize("start", [[0.4, -0.2, 0.9], [-0.4, -0.2, 0.1]])
def test_gradient_flows_through_the_branch_taken(start):
    def build(L, x):
        return L.cond(x.sum() > 0, lambda x: (x * x.sin()).sum(), lambda x: (x.exp() * x).sum(), (x,))
    check_gradient(build, np.array(start))


def test_gradient_reaches_tensors_the_branches_capture():
    grads = []
    for L in LIBRARIES:
        x = L.tensor([0.5, -0.3], dtype=L.float64, requires_grad=True)
        w = L.tensor(1.5, dtype=L.float64, requires_grad=True)
        y = L.cond(w > 0, lambda x: (w * x ** 3).sum(), lambda x: x.sum(), (x,))
        grads.append([g.numpy() for g in L.autograd.grad(y, (x, w))])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_second_order_gradient_through_cond():
    """PyTorch 2.13's cond has no double backward (its gradients come back detached); minidl's branch is
    ordinary recorded code, so the gradient of the gradient is checked against central differences."""
    def gradient_sum(values, create_graph=False):
        x = values if isinstance(values, T.Tensor) else T.tensor(values, requires_grad=True)
        y = T.cond(x.sum() > 0, lambda x: (x.sin() * x ** 2).sum(), lambda x: x.sum(), (x,))
        return T.autograd.grad(y, x, create_graph=create_graph)[0].sum()
    start = np.array([0.5, 0.2])
    x = T.tensor(start, requires_grad=True)
    second, = T.autograd.grad(gradient_sum(x, create_graph=True), x)
    numeric = [(gradient_sum(start + h).item() - gradient_sum(start - h).item()) / 2e-6 for h in np.eye(2) * 1e-6]
    np.testing.assert_allclose(second.numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_the_branch_not_taken_changes_neither_operands_nor_the_random_stream():
    x = T.ones(3)

    def in_place(x):  # PyTorch allows a branch to change its inputs in place outside autograd
        return x.add_(1).clone()
    T.manual_seed(0)
    out = T.cond(T.tensor(True), lambda x: x + T.randn(3), lambda x: in_place(x) - T.randn(3), (x,))
    following = T.randn(2)
    np.testing.assert_array_equal(x.numpy(), np.ones(3))
    T.manual_seed(0)
    np.testing.assert_array_equal(out.numpy(), 1 + T.randn(3).numpy())
    np.testing.assert_array_equal(following.numpy(), T.randn(2).numpy())


def test_a_factorization_failing_in_the_branch_not_taken_is_no_error():
    a = -T.eye(2)
    out = T.cond(T.tensor(False), lambda a: T.linalg.cholesky(a), lambda a: a * 2, (a,))
    np.testing.assert_array_equal(out.numpy(), -2 * np.eye(2))


# ------------------------------------------------------------------------------------------ while_loop

LOOP_CASES = {  # name -> (cond_fn, body_fn, carried(L))
    "counter and tensor": (lambda i, x: i < 3, lambda i, x: (i + 1, x * 2), lambda L: (L.tensor(0), _x(L))),
    "list, body gives a list": (lambda i, x: i < 2, lambda i, x: [i + 1, x.sin()], lambda L: [L.tensor(0), _x(L)]),
    "int carried": (lambda i, x: i < 4, lambda i, x: (i + 1, x + i), lambda L: (0, _x(L))),
    "nested dict": (lambda i, d: i < 3, lambda i, d: (i + 1, {"a": d["a"] * 2}), lambda L: (L.tensor(0), {"a": _x(L)})),
    "no iteration": (lambda i, x: i < 3, lambda i, x: (i + 1, x * 2), lambda L: (L.tensor(5), _x(L))),
    "data-dependent": (lambda x: x.abs().sum() < 20, lambda x: x * 1.5, lambda L: (_x(L),)),
}


@pytest.mark.parametrize("name", list(LOOP_CASES))
def test_while_loop_matches_pytorch(name):
    cond_fn, body_fn, carried = LOOP_CASES[name]
    results = [L.while_loop(cond_fn, body_fn, carried(L)) for L in LIBRARIES]
    _same(*[_numpy(r) for r in results])


def test_a_loop_that_never_runs_returns_new_tensors():
    carried = (T.tensor(5), _x(T))
    out = T.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2), carried)
    assert out[0] is not carried[0] and out[1] is not carried[1]
    assert not np.shares_memory(out[1].numpy(), carried[1].numpy())


LOOP_ERRORS = {  # name -> (cond_fn, body_fn, carried) from the library; each raises a RuntimeError
    "float carried": lambda L: (lambda i, x: i < 3, lambda i, x: (i + 1, x), (L.tensor(0), _x(L), 0.5)),
    "cond not callable": lambda L: (3, lambda i: i + 1, (L.tensor(0),)),
    "too few outputs": lambda L: (lambda i, x: i < 3, lambda i, x: (i + 1,), (L.tensor(0), _x(L))),
    "dtype changes": lambda L: (lambda i, x: i < 3, lambda i, x: (i + 1, x.double()), (L.tensor(0), _x(L))),
    "shape changes": lambda L: (lambda i, x: i < 3, lambda i, x: (i + 1, L.cat([x, x])), (L.tensor(0), _x(L))),
    "input returned": lambda L: (lambda i, x: i < 3, lambda i, x: (i + 1, x), (L.tensor(0), _x(L))),
    "cond not a bool scalar": lambda L: (lambda i: i + 1 < 3, lambda i: i + 1, (L.tensor([0]),)),
    "cond not bool": lambda L: (lambda i: i + 1, lambda i: i + 1, (L.tensor(0),)),
}


@pytest.mark.parametrize("name", list(LOOP_ERRORS))
def test_while_loop_refuses_what_pytorch_refuses(name):
    for L in LIBRARIES:
        with pytest.raises((RuntimeError, AssertionError) if L is torch else RuntimeError):
            L.while_loop(*LOOP_ERRORS[name](L))


def test_gradient_flows_through_the_iterations_run():
    def build(L, x):  # the number of iterations depends on x (twice at this start)
        return L.while_loop(lambda x: x.sum() < 5, lambda x: x * x.exp(), (x,))[0].sum()
    check_gradient(build, np.array([0.3, 0.5, 0.7]))
