"""The optimizer protocol of TF1: ``minimize = compute_gradients + apply_gradients``.

``compute_gradients`` calls ``gradients(loss, var_list)`` — new nodes in the graph. ``apply_gradients`` adds,
per variable, the update ops of the concrete optimizer (``_apply_dense``), creating its *slot* variables
(momentum, Adam's moments) on first use, and returns one op that runs them all — ``sess.run(train_op)`` is one
training step. Slots are ordinary (non-trainable) global variables, so ``global_variables_initializer`` and
``Saver`` see them.

**Gradients of row lookups.** In TF1 the gradient of ``tf.gather(params, ids)`` or ``embedding_lookup`` is an
``IndexedSlices`` (the rows looked up, and their ids; ``indexed_slices.py``), and Momentum, RMSProp and Adadelta
update only those rows: an embedding row that no id of the batch named keeps its momentum and does not move. The
update is computed from the dense gradient (rows looked up twice summed, as TF's sparse updates sum duplicates
first) and its assignments are masked to the rows named (``_assign``); for the other optimizers the two updates
agree (a zero gradient changes nothing in SGD and Adagrad, and TF1's Adam updates every row either way).
"""
import numpy

from ... import ops
from ..basics import control_dependencies, group, name_scope
from ..core import GraphKeys, get_default_graph
from ..frontend import convert_to_tensor
from ..array_ops import shape
from ..gradients import gradients
from ..indexed_slices import IndexedSlices
from ..segment_ops import unsorted_segment_sum
from ..sort_ops import unique


#: the dtypes a variable may have to be optimized (those that have gradients), as TF lists them
_TRAINABLE_DTYPES = ("float32", "float64", "float16", "bfloat16", "complex64", "complex128")


def _row_mask(ids, var):
    """A bool tensor [rows, 1, ..., 1] that broadcasts against ``var``: True in the rows that ``ids`` names."""
    rows = ops.index_put(ops.zeros_like(ops.getitem(var, (slice(None),) + (0,) * (var.shape.rank - 1)), dtype="bool"),
                         (ids,), True)
    return ops.reshape(rows, (-1,) + (1,) * (var.shape.rank - 1))


class Optimizer:
    # TF1's gate_gradients values (accepted; minidl always computes every gradient of a step before applying
    # any, TF1's GATE_GRAPH: see _apply_all)
    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2
    #: whether a gradient of row lookups updates only those rows (TF1's sparse updates; see the module docstring):
    #: of the variable and every slot (True), of the variable only ("variable": TF's sparse Nadam decays its moments
    #: everywhere), or none (False: TF's sparse Adam moves every row)
    _updates_looked_up_rows_only = False

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._name = name
        self._use_locking = use_locking
        self._slots = {}          # slot name -> {variable: slot variable}
        self._non_slot = {}       # (name, graph) -> variable (e.g. Adam's beta powers): one per graph, so that
        #                           one optimizer serves the new graph each Estimator.train() builds

    def get_name(self):
        return self._name

    # ------------------------------------------------------------------------------------------ protocol
    def compute_gradients(self, loss, var_list=None, gate_gradients=1, aggregation_method=None,
                          colocate_gradients_with_ops=False, grad_loss=None, stop_gradients=None):
        """``[(gradient, variable), ...]`` for the trainable variables (or ``var_list``); gradient may be None."""
        if var_list is None:
            var_list = get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES)
        var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        for v in var_list:  # an integer variable has no gradient: it would be left out without a word
            if not hasattr(v, "dtype") or not hasattr(v, "op"):
                raise TypeError(f"Argument is not a tf.Variable: {v!r} (var_list holds the variables to train)")
            if v.dtype.name not in _TRAINABLE_DTYPES:
                raise ValueError(f"Invalid type tf.{v.dtype.name} for {v.name}, expected: "
                                 f"[{', '.join('tf.' + name for name in _TRAINABLE_DTYPES)}].")
        grads = gradients(loss, var_list, grad_ys=grad_loss, stop_gradients=stop_gradients)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """One op that updates every variable with its gradient (and then increments ``global_step``); it joins
        the TRAIN_OP collection, as in TF1."""
        train_op = self._apply_all(grads_and_vars, global_step, name)
        get_default_graph().add_to_collection(GraphKeys.TRAIN_OP, train_op)
        return train_op

    def _apply_all(self, grads_and_vars, global_step, name):
        grads_and_vars = [(_with_dense_shape(g, v), v) for g, v in grads_and_vars]
        # each gradient as given (a lookup's IndexedSlices, or a tensor), and as a dense tensor
        given = [g for g, _ in grads_and_vars if g is not None]
        usable = [(convert_to_tensor(g), v) for g, v in grads_and_vars if g is not None]
        for g, v in usable:  # (a misfit gradient would be broadcast into the variable without a word)
            if not hasattr(v, "assign_sub"):
                raise TypeError(f"apply_gradients: {v!r} is not a Variable; only variables can be updated")
            if not g.shape.is_compatible_with(v.shape):
                raise ValueError(f"apply_gradients: the gradient {g.shape} does not fit the variable {v.name} "
                                 f"{v.shape} (var and delta do not have the same shape)")
        if not usable:
            names = [v.name for _, v in grads_and_vars]
            raise ValueError(f"No gradients provided for any variable, check your graph for ops that do not support "
                             f"gradients, between variables {names} and loss.")
        with name_scope(name or self._name) as scope:
            self._create_slots([v for _, v in usable])
            self._prepare()
            # every gradient is computed before any variable changes: an op reads a variable when it runs, so a
            # gradient that reads another variable (d(w1·w2)/dw2 = w1) would otherwise see it already updated
            with control_dependencies([g for g, _ in usable]):
                updates = [_constrained(self._apply_to(g, v, original), v)
                           for (g, v), original in zip(usable, given)]
            train_op = self._finish(updates)
            if global_step is not None:
                with control_dependencies([train_op]):
                    train_op = global_step.assign_add(ops.ones_like(global_step)).op
        # the op is named after its scope, as in TF1 ("Adam", or minimize's name=): a program that saved the graph
        # finds it again with get_operation_by_name
        get_default_graph().rename_operation(train_op, scope.rstrip("/"))
        return train_op

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=1, aggregation_method=None,
                 colocate_gradients_with_ops=False, name=None, grad_loss=None):
        return self.apply_gradients(self.compute_gradients(loss, var_list, grad_loss=grad_loss),
                                    global_step=global_step, name=name)

    def _apply_to(self, grad, var, given):
        """The update of ``var`` by ``grad`` (dense), the gradient ``given`` as it came: for a lookup's
        IndexedSlices, the subclass's own ``_apply_sparse`` where it has one (a user's optimizer, as TF calls it:
        rows of one index summed first), else ``_apply_dense`` with its assignments masked to the rows looked up."""
        ids = given.indices if isinstance(given, IndexedSlices) else None
        if ids is not None and type(self)._apply_sparse is not Optimizer._apply_sparse:
            return self._apply_sparse_duplicate_indices(given, var)
        self._looked_up_ids, self._updated_variable = ids, var
        rows_only = self._updates_looked_up_rows_only
        self._row_mask = _row_mask(ids, var) if ids is not None and rows_only else None
        self._slots_rows_only = rows_only is True
        return self._apply_dense(grad, var)

    def _assign(self, ref, value):
        """``ref.assign(value)``, or only in the rows looked up (``_apply_to``)."""
        masked = self._row_mask is not None and (self._slots_rows_only or ref is self._updated_variable)
        return ref.assign(ops.where(self._row_mask, value, ref) if masked else value)

    # ------------------------------------------------------------------------------- what subclasses add
    def _create_slots(self, var_list):
        pass

    def _prepare(self):
        pass

    def _apply_dense(self, grad, var):
        raise NotImplementedError

    def _apply_sparse(self, grad, var):
        """The update by an IndexedSlices ``grad`` (each index once); minidl's optimizers mask ``_apply_dense``
        instead, a user's subclass may define it, as in TF."""
        raise NotImplementedError

    def _apply_sparse_duplicate_indices(self, grad, var):
        """``_apply_sparse`` of ``grad`` with the rows of each index summed into one, as TF hands them over."""
        ids, positions = unique(grad.indices)
        values = unsorted_segment_sum(grad.values, positions, shape(ids)[0])
        return self._apply_sparse(IndexedSlices(values, ids, grad.dense_shape), var)

    def _finish(self, update_ops):
        return group(*update_ops)

    # --------------------------------------------------------------------------------------------- slots
    # TF's protocol, which a user's optimizer calls from its _create_slots: ``op_name`` names the slot variable
    # ``<var>/<op_name>`` (made unique), by default the optimizer's name as _slot_variable_name gives it
    def _zeros_slot(self, var, slot_name, op_name=None):
        """A variable shaped like ``var``, initialised to zeros, named ``<var>/<optimizer>[_n]``."""
        return self._filled_slot(var, slot_name, 0.0, op_name)

    def _get_or_make_slot(self, var, val, slot_name, op_name):
        """The ``slot_name`` slot of ``var``, made with the initial value ``val`` (a tensor or an array)."""
        return self._slot(var, slot_name, lambda: val, op_name)

    def _get_or_make_slot_with_initializer(self, var, initializer, shape, dtype, slot_name, op_name):
        """The ``slot_name`` slot of ``var``, made by ``initializer(shape, dtype)``."""
        return self._slot(var, slot_name, lambda: initializer(list(shape), dtype=dtype), op_name)

    def _filled_slot(self, var, slot_name, value, op_name=None):
        if var.shape.is_fully_defined():
            return self._slot(var, slot_name, lambda: numpy.full(tuple(var.shape), value, var.dtype), op_name)
        return self._slot(var, slot_name, lambda: ops.full_like(var.initial_value, value), op_name)

    def _slot(self, var, slot_name, make_initial, op_name=None):
        """The ``slot_name`` variable of ``var``, named ``<var>/<op_name or _slot_variable_name(slot_name)>``."""
        table = self._slots.setdefault(slot_name, {})
        if var not in table:
            from ..variables import Variable
            with name_scope(None), name_scope(var.op.name + "/"):
                table[var] = Variable(make_initial(), trainable=False,
                                      name=op_name or self._slot_variable_name(slot_name))
        return table[var]

    def _slot_variable_name(self, slot_name):
        """TF names the optimizer's k-th slot kind ``<name>_k`` (``Adam``, ``Adam_1``)."""
        k = list(self._slots).index(slot_name)
        return self._name if k == 0 else f"{self._name}_{k}"

    def get_slot(self, var, name):
        return self._slots.get(name, {}).get(var)

    def get_slot_names(self):
        return sorted(self._slots)

    def _non_slot_variable(self, name, initial_value):
        key = (name, get_default_graph())
        if key not in self._non_slot:
            from ..variables import Variable
            with name_scope(None):
                self._non_slot[key] = Variable(initial_value, trainable=False, name=name)
        return self._non_slot[key]

    def _create_non_slot_variable(self, initial_value, name, colocate_with=None):
        """TF's name for ``_non_slot_variable`` (a step count, Adam's beta powers: one per graph)."""
        return self._non_slot_variable(name, initial_value)

    def _get_non_slot_variable(self, name, graph=None):
        """The non-slot variable ``name`` of ``graph`` (default: the default graph), or None."""
        return self._non_slot.get((name, graph or get_default_graph()))

    def variables(self):
        """The optimizer's own variables (slots and the like) in the default graph, e.g. to initialise or save
        them; sorted by name, as TF lists them."""
        graph = get_default_graph()
        out = [v for table in self._slots.values() for v in table.values() if v.graph is graph]
        return sorted(out + [v for (_, owner), v in self._non_slot.items() if owner is graph], key=lambda v: v.name)

    def _lr(self, value, name):
        """A hyper-parameter as a tensor (a float, a tensor such as a decayed learning rate, or a function
        returning either, called now, as TF1 calls it when the update is built)."""
        if callable(value) and not hasattr(value, "op"):
            value = value()
        return value if hasattr(value, "op") else convert_to_tensor(float(value), name=name)


def _with_dense_shape(grad, variable):
    """``grad``, an IndexedSlices made without a ``dense_shape`` given the variable's shape (TF's sparse updates
    never need one; the dense form here does)."""
    if isinstance(grad, IndexedSlices) and grad.dense_shape is None:
        return IndexedSlices(grad.values, grad.indices, shape(variable))
    return grad


def _constrained(update, variable):
    """``update``, then (when the variable has a ``constraint``) the constrained value put into it, as TF does."""
    if getattr(variable, "constraint", None) is None:
        return update
    with control_dependencies([update]):
        return variable.assign(variable.constraint(variable)).op

