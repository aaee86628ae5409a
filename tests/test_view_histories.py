"""A view taken before an in-place change of its base (or of another view of the same memory) gets a history that
describes its new numbers (``minidl/eager/views.py``): its gradient is checked against central differences and,
where installed, PyTorch, which regenerates such a view's grad_fn the same way."""
import numpy as np
import pytest

import minidl.eager as T
from tests.gradient_checks import central_differences, check_gradient

START = np.array([[0.5, -1.0, 2.0], [1.5, -0.5, 1.0]])
WEIGHTS = np.array([1.0, -2.0, 3.0, 0.5, 4.0, -1.5])


def _weighted(lib, t):
    """A loss that weighs every element differently, so that a gradient in the wrong place shows."""
    flat = t.reshape(-1)
    return (flat * lib.tensor(WEIGHTS[:flat.shape[0]], dtype=lib.float64)).sum()


# each builds a loss from the leaf ``w`` (a minidl or a torch tensor); ``lib`` is minidl.eager or torch
STALE_VIEWS = {
    # the base changes after the view was taken: v holds 2 * (its old numbers)
    "base mul_ after slicing": lambda lib, w: _after(lambda a: a[0, 0:2], lambda a, v: a.mul_(2), w * 1, lib),
    # overlapping siblings: b's change reaches c's first element
    "overlapping sibling": lambda lib, w: _after(lambda a: a.reshape(-1)[2:5],
                                                  lambda a, v: a.reshape(-1)[1:4].mul_(3), w * w, lib),
    # a sibling that does not overlap: its old history was right, the refreshed one must be too
    "another row": lambda lib, w: _after(lambda a: a[1], lambda a, v: a[0].exp_(), w * 2, lib),
    # the change brings in a second tensor that requires grad
    "transpose after add_ of another": lambda lib, w: _after(lambda a: a.t(),
                                                              lambda a, v: a.add_(w.flip(0) ** 2), w * 1, lib),
    # the view's own change, then its base's, then the view again
    "view changed, base changed": lambda lib, w: _after(lambda a: a[1], lambda a, v: (v.add_(w[0]), a.mul_(1.5)),
                                                         w + 1, lib),
    "diagonal after base relu_": lambda lib, w: _after(lambda a: a[:, :2].diagonal(), lambda a, v: a.relu_(),
                                                        w - 0.25, lib),
    # unfold's windows are views: changed through the base, overlapping or not, and changed themselves
    "unfold windows after base mul_": lambda lib, w: _after(lambda a: a.reshape(-1).unfold(0, 2, 2),
                                                             lambda a, v: a.mul_(w.flip(1)), w * 1, lib),
    "overlapping unfold windows after base exp_": lambda lib, w: _after(lambda a: a[0].unfold(0, 2, 1),
                                                                         lambda a, v: a.exp_(), w * 1, lib),
    "unfold windows changed in place": lambda lib, w: _after(lambda a: a.unfold(1, 1, 2),
                                                              lambda a, v: v.mul_(w[:, :1]), w * w, lib),
}


def _after(take_view, change, base, lib):
    view = take_view(base)
    change(base, view)
    return _weighted(lib, view) + 0.1 * _weighted(lib, base)


@pytest.mark.parametrize("case", STALE_VIEWS)
def test_a_view_changed_through_its_base_or_a_sibling_has_the_gradient_of_its_new_values(case):
    check_gradient(STALE_VIEWS[case], START)


def test_a_view_of_a_constant_joins_the_graph_when_a_sibling_is_written_with_a_tensor_that_requires_grad():
    x = T.tensor([2.0, 3.0], requires_grad=True)
    a = T.zeros(3)
    first, last = a[0:2], a[1:3]
    assert not last.requires_grad
    first.copy_(x * 10)             # a becomes [20, 30, 0]: last now holds [30, 0], which depends on x
    assert last.requires_grad and last.grad_fn is not None
    (last * T.tensor([1.0, 5.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 10.0]


def test_a_view_of_a_parameter_follows_its_updates_without_recording():
    """The optimizer's ``p -= lr * grad`` happens under no_grad; a view taken earlier still differentiates to p."""
    p = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    head = p[:2]
    with T.no_grad():
        p.mul_(2.0)
    assert head.tolist() == [2.0, 4.0]
    (head * head).sum().backward()
    assert p.grad.tolist() == [4.0, 8.0, 0.0]


def test_a_view_taken_without_recording_stays_out_of_the_graph():
    p = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with T.no_grad():
        head = p[:2]
        p.mul_(2.0)
    assert not head.requires_grad and head.grad_fn is None
    assert not (head * 2).requires_grad


def test_a_view_of_a_non_contiguous_base_is_changed_and_refreshed_in_place():
    """The places of a view's elements are read from memory, whatever the base's strides (here column-major)."""
    x = T.tensor([5.0, 7.0], requires_grad=True)
    base = T.from_numpy(np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    rows = base.t()                 # a view taken before the change
    base[:, 1].copy_(x)             # through a view of a column-major base: recorded as a change of the base
    assert rows.tolist() == [[0.0, 3.0], [5.0, 7.0], [2.0, 5.0]]
    (rows * T.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=T.float64)).sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]


def test_unbind_gives_views_whose_in_place_changes_reach_the_base():
    """unbind's slices share the tensor's memory, as in PyTorch: a change of a slice shows in the tensor, and
    while recording it is recorded as a change of the tensor (PyTorch refuses that case; the gradient here is
    checked against central differences)."""
    x = T.zeros(2, 3)
    first, _ = x.unbind(0)
    first.fill_(1)
    assert x.tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    column = x.unbind(1)[2]
    x.mul_(2)
    assert column.tolist() == [2.0, 0.0]

    def build(lib, w):
        a = w * 1
        later = a.unbind(1)[2]            # taken before the change: refreshed from a's new history
        a.unbind(0)[1].mul_(w[0, 0])      # row 1 scaled by an entry of w, through a slice
        return _weighted(lib, later) + 0.1 * _weighted(lib, a)

    w = T.tensor(START, requires_grad=True)
    build(T, w).backward()
    np.testing.assert_allclose(w.grad.numpy(), central_differences(lambda v: build(T, v), START), rtol=1e-6,
                               atol=1e-6)


def test_unfold_windows_share_the_memory_of_their_input_and_overlapping_ones_refuse_writes():
    x = T.arange(6.0)
    disjoint, overlapping = x.unfold(0, 2, 2), x.unfold(0, 3, 1)
    x.mul_(10)
    assert disjoint.tolist() == [[0.0, 10.0], [20.0, 30.0], [40.0, 50.0]]
    assert overlapping[1].tolist() == [10.0, 20.0, 30.0]
    disjoint[1].add_(1)  # windows that do not overlap can be written through
    assert x.tolist() == [0.0, 10.0, 21.0, 31.0, 40.0, 50.0]
    with pytest.raises(RuntimeError, match="refers to the same memory location .*unfold"):
        overlapping.add_(1)  # one write would change the same entry through several windows
    assert x.tolist() == [0.0, 10.0, 21.0, 31.0, 40.0, 50.0]
