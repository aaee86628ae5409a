"""Reverse-mode automatic differentiation: the one walk that serves eager tensors and static graphs.

The computation is a DAG of *nodes*. A node ran one op; it produced outputs ``(node, 0)``, ``(node, 1)``, ... and
consumed the values named by ``node.input_keys`` — each a ``(producer_node, output_index)`` pair, or ``None`` for
an input that needs no gradient (a constant, an integer tensor). A node with no inputs is where gradients stop:
an eager leaf's gradient accumulator, or a graph variable/placeholder.

Given the roots (the values we differentiate), their incoming gradients, and which values we want gradients
for, ``backprop`` applies the chain rule backwards:

1. **discover** every node reachable from the roots (iteratively: deep nets would overflow Python's stack);
2. keep only the nodes *between* the roots and the wanted values — a node is worth a VJP call only if some
   wanted value lies below it;
3. **count** for each node how many gradient contributions it will receive (its pending count);
4. **process** nodes when their count reaches zero, i.e. once every consumer has passed its gradient back.
   A node's output gradient is then complete (contributions from values used twice are summed), so we call
   its VJP and hand the results to its inputs.

The front-end supplies ``run_vjp(node, output_grads, needed) -> input_grads``: eager mode runs the VJP on numbers
(or records it, for higher-order gradients); graph mode runs the same VJP on symbolic tensors, adding nodes to
the graph. Everything else is the same.
"""


def backprop(roots, root_grads, is_wanted, run_vjp, blocked=frozenset(), prune=True):
    """Return ``{key: gradient}`` for every wanted key (``(node, index)``) that a root depends on.

    roots:       list of keys ``(node, output_index)`` to differentiate
    root_grads:  the gradient flowing into each root (same order)
    is_wanted:   ``is_wanted(key) -> bool``; gradients of wanted keys are returned
    run_vjp:     ``run_vjp(node, grads, needed) -> sequence of input gradients`` (``grads`` has one entry per
                 output, ``None`` where no gradient arrived; ``needed[i]`` says whether input i's gradient is used)
    blocked:     keys treated as constants: no gradient flows through them (``stop_gradients``)
    prune:       skip the nodes that lead to no wanted value. Eager ``backward()`` passes False: every node it
                 recorded leads to a leaf that requires grad, so there is nothing to prune and the check would
                 only cost time (every edge is then followed, and ``node.needs_input_grad`` says which).
    """
    order = _post_order((node for node, _ in roots), blocked)
    leads_to_wanted = _nodes_leading_to_wanted(order, is_wanted, blocked) if prune else None

    # The edges worth following: from a node that leads to a wanted value, into an input that is wanted or leads
    # to one. A consumer sends one contribution along each such edge; count them per producer.
    edges, pending, wanted_here = {}, {}, set()
    if prune:
        for node in order:
            if not leads_to_wanted[node]:
                continue
            followed = []
            needed = [False] * len(node.input_keys)
            for slot, key in enumerate(node.input_keys):
                if key is None or (blocked and key in blocked):
                    continue
                wanted = is_wanted(key)
                if wanted or leads_to_wanted[key[0]]:
                    followed.append((slot, key))
                    needed[slot] = True
                    pending[key[0]] = pending.get(key[0], 0) + 1
                    if wanted:
                        wanted_here.add(key[0])
            edges[node] = (followed, needed)
    else:  # every edge is followed; only nodes without inputs (leaves) can hold wanted values
        for node in order:
            followed = [(slot, key) for slot, key in enumerate(node.input_keys) if key is not None]
            for _, (parent, _) in followed:
                pending[parent] = pending.get(parent, 0) + 1
            edges[node] = (followed, node.needs_input_grad)
            if not followed:
                wanted_here.add(node)
    wanted_here.update(node for node, index in roots if is_wanted((node, index)))

    grads = {}  # node -> list of output gradients received so far
    for (node, index), g in zip(roots, root_grads):
        _accumulate(grads, node, index, g)

    results = {}
    ready = [node for node in dict.fromkeys(n for n, _ in roots) if pending.get(node, 0) == 0]
    while ready:
        node = ready.pop()
        out_grads = grads.pop(node, None)
        if node in wanted_here and out_grads is not None:
            for index, g in enumerate(out_grads):
                if g is not None and is_wanted((node, index)):
                    results[(node, index)] = g
        followed, needed = edges.get(node, _NO_EDGES)
        if not followed:
            continue
        if out_grads is not None and any(g is not None for g in out_grads):
            in_grads = run_vjp(node, out_grads, needed)
        else:  # nothing differentiable reached this node: pass the silence on
            in_grads = None
        for slot, (parent, index) in followed:
            g = in_grads[slot] if in_grads is not None else None
            if g is not None:
                _accumulate(grads, parent, index, g)
            pending[parent] -= 1
            if pending[parent] == 0:
                ready.append(parent)
    return results


_NO_EDGES = ((), ())


def _n_outputs(node):
    return getattr(node, "n_outputs", 1)


def _accumulate(grads, node, index, g):
    """Add ``g`` to the gradient of output ``index`` of ``node``: a value used twice gets both contributions."""
    slots = grads.get(node)
    if slots is None:
        slots = grads[node] = [None] * _n_outputs(node)
    slots[index] = g if slots[index] is None else slots[index] + g


def _post_order(start_nodes, blocked):
    """All nodes reachable from ``start_nodes`` (not through blocked keys), each after all of its inputs'
    producers. No recursion."""
    order, seen = [], set()
    stack = [(node, False) for node in start_nodes]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for key in node.input_keys:
            if key is not None and key[0] not in seen and not (blocked and key in blocked):
                stack.append((key[0], False))
    return order


def _nodes_leading_to_wanted(post_order, is_wanted, blocked):
    """``{node: bool}``: does some input of ``node`` lead (through any path) to a wanted value?"""
    leads = {}
    for node in post_order:  # inputs' producers come first, so their answers are ready
        leads[node] = any(key is not None and key not in blocked and (is_wanted(key) or leads[key[0]])
                          for key in node.input_keys)
    return leads
