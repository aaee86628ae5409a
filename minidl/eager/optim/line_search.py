"""A line search for the strong Wolfe conditions (Nocedal & Wright, "Numerical Optimization", 2nd ed., algorithms
3.5 and 3.6), with the steps chosen by cubic interpolation as in Mark Schmidt's minFunc — the search PyTorch's
``LBFGS(line_search_fn="strong_wolfe")`` runs, step for step.

Along a direction ``d`` from the point ``x``, let ``φ(t) = f(x + t·d)``; ``φ'(0) = g·d < 0`` (a descent direction).
A step ``t`` satisfies the strong Wolfe conditions when

* it decreases f enough (Armijo): ``φ(t) <= φ(0) + c1·t·φ'(0)``, and
* the slope has flattened enough (curvature): ``|φ'(t)| <= c2·|φ'(0)|``.

The search first walks forward (each trial step up to 10 times the last) until it has a *bracket*, an interval
known to hold such a step, then *zooms* into the bracket, always keeping the end with the lower φ as ``low``.
Every trial step is the minimizer of the cubic that matches φ and φ' at two known points.
"""
import math


def cubic_minimizer(t1, f1, g1, t2, f2, g2, bounds=None):
    """Where the cubic through (t1, f1) and (t2, f2) with slopes g1 and g2 has its minimum (N&W, eq. 3.59),
    clipped to ``bounds`` (default: between t1 and t2); their middle when the cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(t1, t2), max(t1, t2))
    if t1 > t2:  # the formula below is written for t1 <= t2
        t1, f1, g1, t2, f2, g2 = t2, f2, g2, t1, f1, g1
    d1 = g1 + g2 - 3 * (f1 - f2) / (t1 - t2)
    d2_squared = d1 * d1 - g1 * g2
    if d2_squared < 0:
        return (low + high) / 2
    d2 = math.sqrt(d2_squared)
    t = t2 - (t2 - t1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    return min(max(t, low), high)


class _Point:
    """A trial step ``t`` with φ(t), the gradient there and the slope φ'(t) = gradient·d."""

    def __init__(self, t, f, grad, slope):
        self.t, self.f, self.grad, self.slope = t, f, grad, slope


def strong_wolfe(evaluate, d, t, f, grad, slope, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Search along ``d`` from the point where the loss is ``f``, its gradient ``grad`` (a flat tensor) and the
    slope φ'(0) = ``slope``, starting with the step ``t``. ``evaluate(t)`` gives ``(loss, flat gradient)`` at
    ``x + t·d``. Returns ``(loss, gradient, t, number of evaluations)`` at the step found.

    ``max_ls`` bounds the evaluations after the one at ``t`` (which always happens, so the search uses at most
    ``max_ls + 1``). When it runs out, the result is the lower end of the bracket — or, while still walking
    forward, the better of the start (t = 0: no move) and the last trial step."""

    def trial(step):
        loss, g = evaluate(step)
        return _Point(step, loss, g, float(g.dot(d)))

    def sufficient_decrease(p):
        return p.f <= f + c1 * p.t * slope

    def flat_enough(p):
        return abs(p.slope) <= -c2 * slope

    d_norm = float(d.abs().max())
    start = _Point(0.0, f, grad, slope)
    previous, new = start, trial(t)
    evaluations, found = 1, None
    # -- phase 1: step forward until an interval [previous, new] must hold a good step (or new is one)
    while evaluations <= max_ls:
        if not sufficient_decrease(new) or (evaluations > 2 and new.f >= previous.f):
            bracket = [previous, new]  # went too far: the function rose again in between
            break
        if flat_enough(new):
            found = new
            break
        if new.slope >= 0:
            bracket = [previous, new]  # passed a minimum of φ: the slope turned
            break
        step = cubic_minimizer(previous.t, previous.f, previous.slope, new.t, new.f, new.slope,
                               bounds=(new.t + 0.01 * (new.t - previous.t), new.t * 10))
        previous, new = new, trial(step)
        evaluations += 1
    else:
        bracket = [start, new]  # out of evaluations: keep the better of the start and the last step
    if found is not None:
        return found.f, found.grad, found.t, evaluations
    # -- phase 2: zoom into the bracket, keeping the end with the lower loss as `low`
    low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
    insufficient_progress = False
    while evaluations <= max_ls:
        a, b = bracket[0].t, bracket[1].t
        if abs(b - a) * d_norm < tolerance_change:
            break  # the interval has shrunk to nothing
        step = cubic_minimizer(a, bracket[0].f, bracket[0].slope, b, bracket[1].f, bracket[1].slope)
        # a step too near an end makes little progress: if that happens twice (or it lies outside), move it
        # a tenth of the interval inside
        margin = 0.1 * (max(a, b) - min(a, b))
        if min(max(a, b) - step, step - min(a, b)) < margin:
            if insufficient_progress or step >= max(a, b) or step <= min(a, b):
                step = max(a, b) - margin if abs(step - max(a, b)) < abs(step - min(a, b)) else min(a, b) + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        new = trial(step)
        evaluations += 1
        if not sufficient_decrease(new) or new.f >= bracket[low].f:
            bracket[high] = new  # not better than low: it narrows the bracket from the high side
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
            continue
        if flat_enough(new):
            bracket[low] = new
            break
        if new.slope * (bracket[high].t - bracket[low].t) >= 0:
            bracket[high] = bracket[low]  # the minimum lies between new and the old low
        bracket[low] = new
    best = bracket[low]
    return best.f, best.grad, best.t, evaluations
