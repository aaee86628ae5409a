"""Run a GPU kernel's body on the CPU: each ``cupy.ElementwiseKernel`` of ``minidl/backend/kernels.py`` compiled as
plain C++ (g++), its body in a loop over the element index ``i``, so that its logic is tested where no GPU is.

As cupy declares them: a ``raw`` parameter is the whole array (indexed by flat position), any other array
parameter is element ``i`` (a reference, for outputs), a scalar parameter is the number; the type placeholders
(``T``, ``S``, ``I``) become the dtypes given. (What this leaves to a GPU: cupy's own code generation and launch.)
"""
import os
import subprocess
import tempfile

import numpy as np

from minidl.backend import kernels

_C_TYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double", np.dtype(np.int64): "long long"}


def _parameters(spec):
    """``[(raw, type, name)]`` of a cupy parameter list such as ``"raw T x, int64 C"``."""
    found = []
    for declaration in spec.split(","):
        words = declaration.split()
        raw = words[0] == "raw"
        found.append((raw,) + tuple(words[raw:]))
    return found


def _literal(value):
    value = float(value)
    if value != value:
        return "NAN"
    return "INFINITY" if value == np.inf else "-INFINITY" if value == -np.inf else repr(value)


def run_kernel(name, size, arguments, float_type=np.float32):
    """Run kernel ``name`` for ``i`` in [0, size) on ``arguments`` (arrays or numbers, in the order of its
    parameters, outputs last) and return its outputs, ``{name: flat array}``."""
    inputs, outputs, body = kernels._SOURCES[name]
    parameters = _parameters(inputs) + _parameters(outputs)
    float_c = _C_TYPES[np.dtype(float_type)]
    lines = ["#include <cmath>", "#include <cstddef>", "#include <cstdio>", "using namespace std;",
             f"typedef {float_c} T;", f"typedef {float_c} S;", "typedef long long I;", "typedef long long int64;"]
    declarations, printed = [], []
    for (raw, kind, name_), value in zip(parameters, arguments, strict=True):
        if isinstance(value, np.ndarray):
            numbers = [_literal(v) if kind in "TS" else str(int(v)) for v in value.reshape(-1)] or ["0"]
            lines.append(f"static {kind} {name_}_data[] = {{{', '.join(numbers)}}};")
            declarations.append(f"{kind}* {name_} = {name_}_data;" if raw else f"{kind}& {name_} = {name_}_data[i];")
            if (raw, kind, name_) in _parameters(outputs):
                printed.append((name_, value.size))
        else:
            text = _literal(value) if kind in "TS" else str(value).lower() if kind == "bool" else str(int(value))
            declarations.append(f"const {kind} {name_} = ({kind}){text};")
    lines += ["int main() {", f"for (ptrdiff_t i = 0; i < {size}; ++i) {{", *declarations, f"{{ {body}; }}", "}"]
    lines += [f'for (int k = 0; k < {n}; ++k) printf("%.17g\\n", (double){name_}_data[k]);' for name_, n in printed]
    lines.append("return 0; }")
    with tempfile.TemporaryDirectory() as folder:
        source, program = os.path.join(folder, "kernel.cpp"), os.path.join(folder, "kernel")
        with open(source, "w") as f:
            f.write("\n".join(lines))
        # (no fused multiply-adds: the numbers must be the numpy twin's)
        subprocess.run(["g++", "-O1", "-ffp-contract=off", "-o", program, source], check=True, capture_output=True)
        numbers = [float(word) for word in subprocess.run([program], check=True, capture_output=True,
                                                          text=True).stdout.split()]
    results, start = {}, 0
    for name_, n in printed:
        results[name_], start = np.array(numbers[start:start + n]), start + n
    return results
