"""Bugs a differential fuzz against PyTorch found in the optimizers and the linear algebra, each checked against
PyTorch: optimizers on a 0-d parameter (Adam's numpy twin crashed), the ``_ex`` forms on singular matrices (they
raised), the SVD family on a matrix holding an inf (LAPACK's gesdd looped forever) and ``addmm`` and its relatives
with ``beta=0`` (they cut ``input`` out of the graph)."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minidl.eager as T

torch = pytest.importorskip("torch")

REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------- optimizers on a 0-d parameter

ZERO_D_OPTIMIZERS = [
    ("SGD", {}), ("SGD", dict(momentum=0.9)), ("SGD", dict(momentum=0.9, nesterov=True)),
    ("SGD", dict(momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("Adam", {}), ("Adam", dict(weight_decay=0.1)), ("Adam", dict(amsgrad=True)), ("Adam", dict(maximize=True)),
    ("AdamW", {}), ("AdamW", dict(amsgrad=True)),
    ("RMSprop", dict(lr=0.01)), ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adagrad", {}), ("Adadelta", dict(lr=1.0)), ("Adamax", {}),
    ("NAdam", {}), ("NAdam", dict(decoupled_weight_decay=True, weight_decay=0.1)),
    ("RAdam", {}), ("RAdam", dict(decoupled_weight_decay=True, weight_decay=0.1)),
    ("ASGD", {}), ("Rprop", {}), ("Adafactor", {}), ("LBFGS", dict(lr=0.5)),
]


def _steps_on_a_scalar(L, name, options, dtype_name):
    """Four steps of optimizer ``name`` on one 0-d parameter (a learnable temperature), loss p³ - p."""
    p = L.nn.Parameter(L.tensor(1.5, dtype=getattr(L, dtype_name)))
    optimizer = getattr(L.optim, name)([p], **{"lr": 0.1, **options})

    def closure():
        optimizer.zero_grad()
        loss = p * p * p - p
        loss.backward()
        return loss
    values = []
    for _ in range(4):
        if name == "LBFGS":
            optimizer.step(closure)
        else:
            closure()
            optimizer.step()
        assert p.shape == ()
        values.append(p.item())
    return values


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("name, options", ZERO_D_OPTIMIZERS, ids=lambda v: str(v))
def test_optimizers_step_a_0d_parameter_like_pytorch(name, options, dtype_name):
    """Adam and AdamW (the fused numpy update) raised "return arrays must be of ArrayType" here."""
    expected = _steps_on_a_scalar(torch, name, options, dtype_name)
    got = _steps_on_a_scalar(T, name, options, dtype_name)
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype_name == "float32" else 1e-12)


# ----------------------------------------------------------------------- the _ex forms on singular matrices

# regular; singular with its zero pivot in column 2, 1, 2; singular in column 3; regular (a permutation)
SINGULAR_BATCH = np.array([np.eye(3) * 2, [[1.0, 1, 0], [1, 1, 0], [0, 0, 1]], [[0.0, 1, 2], [0, 3, 4], [0, 5, 7]],
                           [[1.0, 2, 3], [1, 2, 4], [0, 0, 5]], [[1.0, 2, 3], [2, 4, 6], [1, 0, 1]],
                           [[0.0, 1, 0], [1, 0, 0], [0, 0, 1]]])
REGULAR = [0, 5]


@pytest.mark.parametrize("form", ["inv_ex", "solve_ex", "lu_factor_ex"])
def test_ex_forms_report_each_matrix_info_like_pytorch(form):
    """info per matrix of a batch where only some are singular, and the regular ones' results."""
    def run(L):
        A = L.tensor(SINGULAR_BATCH)
        if form == "solve_ex":
            return L.linalg.solve_ex(A, L.ones(6, 3, 2, dtype=L.float64))
        return getattr(L.linalg, form)(A)
    expected, got = run(torch), run(T)
    assert got.info.dtype == T.int32 and got.info.tolist() == expected.info.tolist() == [0, 2, 1, 2, 3, 0]
    np.testing.assert_allclose(got[0].numpy()[REGULAR], expected[0].numpy()[REGULAR], rtol=1e-12)


@pytest.mark.parametrize("form", ["inv_ex", "solve_ex"])
def test_ex_forms_raise_only_with_check_errors(form):
    def run(L, check_errors):
        A = L.tensor(SINGULAR_BATCH)
        if form == "solve_ex":
            return L.linalg.solve_ex(A, L.ones(6, 3, 1, dtype=L.float64), check_errors=check_errors)
        return L.linalg.inv_ex(A, check_errors=check_errors)
    with pytest.raises(torch.linalg.LinAlgError, match=r"\(Batch element 1\)"):
        run(torch, True)
    with pytest.raises(T.linalg.LinAlgError, match=rf"linalg.{form}: \(Batch element 1\)"):
        run(T, True)
    assert run(T, False).info.tolist() == run(torch, False).info.tolist()


def test_ex_forms_on_a_matrix_singular_up_to_rounding_never_raise():
    """Exactly singular (the third column is -1/40 of the second), but whether elimination meets an exactly zero
    pivot depends on the LAPACK build's rounding: PyTorch's says 0 (and gives a huge inverse). minidl must follow the
    LAPACK that its inverse and solve run (numpy's): it raised LinAlgError where its own elimination said info 0."""
    a = np.array([[-0.5, -20.0, 0.5], [-2.0, 20.0, -0.5], [-3.0, 20.0, -0.5]])
    try:
        np.linalg.inv(a)
        lapack_says_singular = False
    except np.linalg.LinAlgError:
        lapack_says_singular = True
    A = T.tensor(a)
    inverse, info = T.linalg.inv_ex(A)
    result, solve_info = T.linalg.solve_ex(A, T.ones(3, dtype=T.float64))
    assert info.item() == solve_info.item() == (3 if lapack_says_singular else 0)  # the tiny third pivot
    assert info.item() == 0 or torch.linalg.lu_factor(torch.tensor(a)).LU[2, 2].abs().item() < 1e-15
    assert np.isfinite(inverse.numpy()).all() and np.isfinite(result.numpy()).all()
    batch = T.tensor(np.stack([np.eye(3), a]))
    assert T.linalg.inv_ex(batch).info.tolist() == [0, info.item()]
    if lapack_says_singular:
        with pytest.raises(T.linalg.LinAlgError, match=r"linalg.inv_ex: \(Batch element 1\): The diagonal element 3"):
            T.linalg.inv_ex(batch, check_errors=True)


def test_cholesky_ex_reports_each_matrix_info_like_pytorch():
    batch = np.array([np.eye(3) * 2, [[1.0, 2, 0], [2, 1, 0], [0, 0, 1]], [[1.0, 0, 0], [0, 1, 0], [0, 0, -1]],
                      [[4.0, 2, 0], [2, 3, 0], [0, 0, 1]]])
    expected, got = torch.linalg.cholesky_ex(torch.tensor(batch)), T.linalg.cholesky_ex(T.tensor(batch))
    assert got.info.tolist() == expected.info.tolist() == [0, 2, 3, 0]
    np.testing.assert_allclose(got.L.numpy()[[0, 3]], expected.L.numpy()[[0, 3]], rtol=1e-12)


# ---------------------------------------------------------------------- the SVD family on an inf or a NaN

INF_MATRIX = "[[0.0, -0.5, -0.7], [-np.inf, -1.1, 2.0], [0.5, -0.8, 0.5]]"  # (source, for the subprocesses)
# what each path gives for INF_MATRIX (the first entries) and for a batch whose middle matrix holds an inf
SVD_CASES = {
    "linalg.svd S": "L.linalg.svd(A).S",
    "linalg.svd U": "L.linalg.svd(A).U",
    "linalg.svd reduced U": "L.linalg.svd(A, full_matrices=False).U",
    "svd S": "L.svd(A).S",
    "svd U": "L.svd(A).U",
    "svd without U, V": "L.svd(A, compute_uv=False).S",
    "svdvals": "L.linalg.svdvals(A)",
    "pinv": "L.linalg.pinv(A)",
    "pinverse": "L.pinverse(A)",
    "lstsq": "L.linalg.lstsq(A, L.ones(3, 2, dtype=L.float64)).solution",
    "matrix_rank": "L.linalg.matrix_rank(A)",
    "matrix_norm 2": "L.linalg.matrix_norm(A, 2)",
    "matrix_norm -2": "L.linalg.matrix_norm(A, -2)",
    "matrix_norm nuc": "L.linalg.matrix_norm(A, 'nuc')",
    "norm 2": "L.linalg.norm(A, 2)",
    "cond": "L.linalg.cond(A)",
    "batch svdvals": "L.linalg.svdvals(B)",
    "batch svd S": "L.linalg.svd(B, full_matrices=False).S",
    "batch pinv": "L.linalg.pinv(B)",
    "batch matrix_rank": "L.linalg.matrix_rank(B)",
}
_SETUP = f"""
import numpy as np
A = L.tensor({INF_MATRIX}, dtype=L.float64)
b = np.random.default_rng(0).standard_normal((3, 3, 3))
b[1, 2, 0] = np.inf
B = L.tensor(b)
"""


@pytest.fixture(scope="module")
def torch_svd_results_on_inf():
    scope = {"L": torch}
    exec(_SETUP, scope)
    return {name: eval(code, scope).tolist() for name, code in SVD_CASES.items()}


@pytest.fixture(scope="module")
def minidl_svd_results_on_inf():
    """minidl's results, computed in a subprocess with a timeout: unguarded, LAPACK would loop forever."""
    script = f"import json\nimport minidl.eager as L\n{_SETUP}\nprint(json.dumps({{name: eval(code).tolist() for " \
             f"name, code in {SVD_CASES!r}.items()}}))"
    try:
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    except subprocess.TimeoutExpired:
        pytest.fail("the SVD of a matrix holding an inf did not return in 120 s (LAPACK's gesdd loops on it)")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize("case", SVD_CASES)
def test_svd_paths_give_nan_for_a_matrix_holding_an_inf_like_pytorch(case, minidl_svd_results_on_inf,
                                                                     torch_svd_results_on_inf):
    got = np.array(minidl_svd_results_on_inf[case], dtype=float)
    if case == "lstsq":  # PyTorch's solution there is whatever its driver leaves (NaN rows, or NaN and zeros)
        assert np.isnan(got).all()
        return
    expected = np.array(torch_svd_results_on_inf[case], dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)  # (NaN where the other has NaN)
    assert np.isnan(got).any() or case.endswith("matrix_rank")


def test_svd_outputs_of_an_inf_matrix_are_all_nan_and_keep_the_dtype():
    """PyTorch's Vh there is whatever MKL leaves (a permutation): minidl gives NaN for U, S and Vh alike."""
    script = f"""import numpy as np, minidl.eager as L
U, S, Vh = L.linalg.svd(L.tensor({INF_MATRIX}, dtype=L.float32))
print(U.dtype, S.dtype, Vh.dtype, bool(U.isnan().all() and S.isnan().all() and Vh.isnan().all()))"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["minidl.float32"] * 3 + ["True"]


@pytest.mark.parametrize("case", ["linalg.svd S", "svdvals", "pinv", "matrix_rank", "matrix_norm nuc", "cond"])
def test_svd_paths_refuse_a_nan_like_pytorch(case):
    """gesdd fails to converge on a NaN (numpy's and PyTorch's alike): PyTorch's LinAlgError and message."""
    code = SVD_CASES[case]
    nan_matrix = [[0.0, -0.5, -0.7], [math.nan, -1.1, 2.0], [0.5, -0.8, 0.5]]
    message = "linalg.svd: The algorithm failed to converge because the input matrix contained non-finite values"
    for L in (torch, T):
        with pytest.raises(L.linalg.LinAlgError, match=message):
            eval(code, {"L": L, "A": L.tensor(nan_matrix, dtype=L.float64)})


# -------------------------------------------------------------------- addmm and its relatives with beta=0

def _scaled_product_operands(L, name):
    """(function, input, the other operands) of each op, input holding a NaN (beta=0 ignores it)."""
    rng = np.random.default_rng(1)

    def t(*shape):
        return L.tensor(rng.standard_normal(shape), requires_grad=True)
    shapes = {"addmm": ((2, 4), [(2, 3), (3, 4)]), "addmv": ((2,), [(2, 3), (3,)]), "addr": ((2, 3), [(2,), (3,)]),
              "baddbmm": ((5, 2, 4), [(5, 2, 3), (5, 3, 4)]), "addbmm": ((2, 4), [(5, 2, 3), (5, 3, 4)]),
              "addmm (a bias row)": ((4,), [(2, 3), (3, 4)])}
    input_shape, other_shapes = shapes[name]
    values = rng.standard_normal(input_shape)
    values.reshape(-1)[0] = np.nan
    input = L.tensor(values, requires_grad=True)
    return getattr(L, name.split()[0]), input, [t(*s) for s in other_shapes]


@pytest.mark.parametrize("name", ["addmm", "addmv", "addr", "baddbmm", "addbmm", "addmm (a bias row)"])
@pytest.mark.parametrize("only_input", [True, False])
def test_scaled_products_with_beta_0_keep_input_in_the_graph(name, only_input):
    """With beta=0 the result ignores input (its NaN too) yet input gets a zero gradient, as in PyTorch; backward
    raised "does not require grad" when only input required one."""
    results = []
    for L in (torch, T):
        op, input, others = _scaled_product_operands(L, name)
        if only_input:
            others = [o.detach() for o in others]
        out = op(input, *others, beta=0, alpha=0.5)
        (out * out).sum().backward()
        grads = [o.grad.numpy() for o in others if o.grad is not None]
        results.append([out.detach().numpy(), input.grad.numpy()] + grads)
    expected, got = results
    assert len(got) == len(expected) == (2 if only_input else 4)
    assert got[1].shape == expected[1].shape and not got[1].any()
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)
