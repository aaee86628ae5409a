"""``tf.graph_util``: cut a ``GraphDef`` down to what some outputs need, and *freeze* it — every variable those
outputs read becomes a constant holding its value in a session — so that the graph alone is the trained model
(see ``graph_def.py`` for shipping and loading it).

Which operations an output needs: its inputs and control inputs, transitively, and whatever an operation's
attributes refer to (a ``while_loop`` runs a body graph, which reads tensors from outside it).
"""
from .compat import logging
from .graph_def import GraphDef
from .graph_ops import Const
from ..ops.registry import op_class_key
from .variables import VariableV2

__all__ = ["convert_variables_to_constants", "extract_sub_graph"]


def extract_sub_graph(graph_def, dest_nodes):
    """A new ``GraphDef`` of the operations that the operations named in ``dest_nodes`` need, in their order."""
    if not isinstance(graph_def, GraphDef):
        raise TypeError(f"graph_def must be a graph_pb2.GraphDef proto, got {type(graph_def).__name__}")
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list.")
    description = graph_def._description
    operations = {entry["name"]: entry for entry in description["operations"]}
    functions = {f["id"]: f for f in description["functions"]}
    for name in dest_nodes:
        if name not in operations:
            raise AssertionError(f"{name} is not in graph")
    needed, used_functions = set(), set()
    waiting = list(dest_nodes)
    while waiting:
        name = waiting.pop()
        if name in needed:
            continue
        needed.add(name)
        entry = operations[name]
        waiting += [tensor.rpartition(":")[0] for tensor in entry["inputs"]] + entry["control_inputs"]
        waiting += _outer_references(entry["attrs"], functions, used_functions)
    kept = [entry for entry in description["operations"] if entry["name"] in needed]
    return graph_def._derived(kept, [f for f in description["functions"] if f["id"] in used_functions],
                              graph_def._arrays)


def _outer_references(value, functions, used_functions):
    """The names of the top-level operations that an attribute value refers to, directly or through the function
    graphs it runs (whose ids are added to ``used_functions``; each is searched once)."""
    found = []
    if isinstance(value, list):
        for item in value:
            found += _outer_references(item, functions, used_functions)
    elif isinstance(value, dict):
        if ("tensor" in value or "op" in value) and value.get("graph", 0) == 0:
            found.append(value["op"] if "op" in value else value["tensor"].rpartition(":")[0])
        gid = value.get("graph")
        if gid is not None and gid != 0 and gid not in used_functions and gid in functions:
            used_functions.add(gid)
            function = functions[gid]
            found += _outer_references([function["outputs"], function["captures"], function["inputs"]] +
                                       [entry["attrs"] for entry in function["operations"]], functions,
                                       used_functions)
            found += _outer_references({"graph": function["outer"]}, functions, used_functions)
        for item in value.values():
            found += _outer_references(item, functions, used_functions)
    return found


def convert_variables_to_constants(sess, input_graph_def, output_node_names, variable_names_whitelist=None,
                                   variable_names_blacklist=None):
    """``input_graph_def`` cut to what ``output_node_names`` need (``extract_sub_graph``), with each variable
    among those — those in ``variable_names_whitelist`` if given, none in ``variable_names_blacklist`` — replaced
    by a constant of the same name holding the variable's value in ``sess``."""
    sub_graph = extract_sub_graph(input_graph_def, output_node_names)
    variable_key, const_key = op_class_key(VariableV2), op_class_key(Const)
    chosen = [entry for entry in sub_graph._description["operations"] if entry["op"] == variable_key and
              (variable_names_whitelist is None or entry["name"] in variable_names_whitelist) and
              (variable_names_blacklist is None or entry["name"] not in variable_names_blacklist)]
    logging.info("Froze %d variables.", len(chosen))
    values = sess.run([entry["name"] + ":0" for entry in chosen])
    arrays = dict(sub_graph._arrays)
    frozen = {}
    for entry, value in zip(chosen, values):
        key = f"frozen:{entry['name']}"
        arrays[key] = value
        frozen[entry["name"]] = dict(entry, op=const_key, inputs=[], control_inputs=[],
                                     attrs={"value": {"array": key}})
    logging.info("Converted %d variables to const ops.", len(frozen))
    operations = [frozen.get(entry["name"], entry) for entry in sub_graph._description["operations"]]
    return sub_graph._derived(operations, sub_graph._description["functions"], arrays)
