"""Reverse-mode automatic differentiation: the one walk that serves eager tensors and static graphs.

The computation is a DAG of *nodes*. A node ran one op; it produced outputs ``(node, 0)``, ``(node, 1)``, ... and
consumed the values named by ``node.input_keys`` — each a ``(producer_node, output_index)`` pair, or ``None`` for
an input that needs no gradient (a constant, an integer tensor). A node with no inputs is where gradients stop:
an eager leaf's gradient accumulator, or a graph variable/placeholder.

Given the roots (the values we differentiate), their incoming gradients, and which values we want gradients
for, ``backprop`` applies the chain rule backwards:

1. **discover** every node reachable from the roots (iteratively: deep nets would overflow Python's stack);
2. keep only the nodes *between* the roots and the wanted values — a node is worth a VJP call only if some
   wanted value lies below it (an eager ``backward()`` skips this: every node it recorded leads to a leaf);
3. **count** for each node how many gradient contributions it will receive (its pending count; for
   ``backward()`` steps 1 and 3 are one pass);
4. **process** nodes when their count reaches zero, i.e. once every consumer has passed its gradient back.
   A node's output gradient is then complete (contributions from values used twice are summed), so we call
   its VJP and hand the results to its inputs.

The front-end supplies ``run_vjp(node, output_grads, needed) -> input_grads``: eager mode runs the VJP on numbers
(or records it, for higher-order gradients); graph mode runs the same VJP on symbolic tensors, adding nodes to
the graph. Everything else is the same.
"""
import operator


def backprop(roots, root_grads, is_wanted, run_vjp, blocked=frozenset(), prune=True, add=operator.add):
    """Return ``{key: gradient}`` for every wanted key (``(node, index)``) that a root depends on.

    roots:       list of keys ``(node, output_index)`` to differentiate
    root_grads:  the gradient flowing into each root (same order)
    is_wanted:   ``is_wanted(key) -> bool``; gradients of wanted keys are returned
    run_vjp:     ``run_vjp(node, grads, needed) -> sequence of input gradients`` (``grads`` has one entry per
                 output, ``None`` where no gradient arrived; ``needed[i]`` says whether input i's gradient is used)
    blocked:     keys treated as constants: no gradient flows through them (``stop_gradients``); a blocked key
                 that is wanted still gets the gradient that reaches it (TF1's ``stop_gradients``)
    prune:       skip the nodes that lead to no wanted value. Eager ``backward()`` passes False: every node it
                 recorded leads to a leaf that requires grad, so there is nothing to prune and the check would
                 only cost time (every edge is then followed, and ``node.needs_input_grad`` says which).
    add:         ``add(total, g)``, the sum of two gradients of one value (eager mode passes one that knows
                 sparse gradients)
    """
    start = list(dict.fromkeys(node for node, _ in roots))
    if prune:
        edges, pending, wanted_here = _pruned_edges(start, is_wanted, blocked)
    else:
        edges, pending, wanted_here = None, _count_consumers(start), set()
    wanted_here.update(node for node, index in roots if is_wanted((node, index)))

    grads = {}  # node -> list of its output gradients received so far; present only once one has arrived
    for (node, index), g in zip(roots, root_grads):
        if g is None:
            continue
        slots = grads.get(node)
        if slots is None:
            slots = grads[node] = [None] * node.n_outputs
        slots[index] = g if slots[index] is None else add(slots[index], g)

    results = {}
    ready = [node for node in start if node not in pending]
    while ready:
        node = ready.pop()
        out_grads = grads.pop(node, None)
        if edges is None:  # every input with a key is followed
            keys, needed = node.input_keys, node.needs_input_grad
            if not keys:  # a leaf: where the wanted gradients of an eager backward() arrive
                wanted_here.add(node)
        else:
            keys, needed = edges.get(node, _NO_EDGES)
        if out_grads is not None and node in wanted_here:
            for index, g in enumerate(out_grads):
                if g is not None and is_wanted((node, index)):
                    results[(node, index)] = g
        if out_grads is not None and blocked:  # what reached a blocked value goes no further
            out_grads = [None if (node, index) in blocked else g for index, g in enumerate(out_grads)]
            if not any(g is not None for g in out_grads):
                out_grads = None
        if not keys:
            continue
        # a VJP runs only if some gradient arrived; otherwise the silence is passed on
        in_grads = run_vjp(node, out_grads, needed) if out_grads is not None else _silence(keys)
        for key, g in zip(keys, in_grads):
            if key is None:
                continue
            parent, index = key
            if g is not None:  # sum the contributions of a value used more than once
                slots = grads.get(parent)
                if slots is None:
                    slots = grads[parent] = [None] * parent.n_outputs
                slots[index] = g if slots[index] is None else add(slots[index], g)
            left = pending[parent] - 1
            if left:
                pending[parent] = left
            else:
                ready.append(parent)
    return results


_NO_EDGES = ((), ())


def _silence(keys):
    return (None,) * len(keys)


def _count_consumers(start_nodes):
    """``{node: how many gradient contributions it will receive}`` for every node reachable from ``start_nodes``
    (one per edge into it). An iterative walk: deep nets would overflow Python's stack."""
    pending = {}
    stack = list(start_nodes)
    starts = set(stack)
    while stack:
        for key in stack.pop().input_keys:
            if key is not None:
                parent = key[0]
                if parent in pending:
                    pending[parent] += 1
                else:
                    pending[parent] = 1
                    if parent not in starts:  # reached for the first time: visit its inputs
                        stack.append(parent)
    return pending


def _pruned_edges(start_nodes, is_wanted, blocked):
    """The edges worth following — from a node that leads to a wanted value, into an input that is wanted or
    leads to one — as ``{node: (keys, needed)}`` (``keys`` one per input slot, None where not followed), with the
    pending count of each producer and the nodes that hold a wanted value."""
    order = post_order(start_nodes, lambda node: [key[0] for key in node.input_keys
                                                  if key is not None and _followed(key, is_wanted, blocked)])
    leads_to_wanted = _nodes_leading_to_wanted(order, is_wanted, blocked)
    edges, pending, wanted_here = {}, {}, set()
    for node in order:
        if not leads_to_wanted[node]:
            continue
        keys = [None] * len(node.input_keys)
        needed = [False] * len(keys)
        for slot, key in enumerate(node.input_keys):
            if key is None or not _followed(key, is_wanted, blocked):
                continue
            wanted = is_wanted(key)
            if wanted or (key not in blocked and leads_to_wanted[key[0]]):
                keys[slot] = key
                needed[slot] = True
                pending[key[0]] = pending.get(key[0], 0) + 1
                if wanted:
                    wanted_here.add(key[0])
        edges[node] = (keys, needed)
    return edges, pending, wanted_here


def _followed(key, is_wanted, blocked):
    """Whether the walk follows an edge into ``key``: always, unless it is blocked and not itself wanted."""
    return not (blocked and key in blocked) or is_wanted(key)


def post_order(start_nodes, inputs_of):
    """All nodes reachable from ``start_nodes`` through ``inputs_of(node)`` (the nodes whose outputs it takes),
    each after all of its inputs. No recursion. (The session orders the ops a run executes with it too.)"""
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
        for parent in inputs_of(node):
            if parent not in seen:
                stack.append((parent, False))
    return order


def _nodes_leading_to_wanted(post_order, is_wanted, blocked):
    """``{node: bool}``: does some input of ``node`` lead (through any path) to a wanted value?"""
    leads = {}
    for node in post_order:  # inputs' producers come first, so their answers are ready
        leads[node] = any(key is not None and (is_wanted(key) or (key not in blocked and leads[key[0]]))
                          for key in node.input_keys)
    return leads
