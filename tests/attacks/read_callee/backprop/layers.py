"""ATTACK read_callee: read or print the correct version of a function it calls.

While dense_forward and dense_backward are checked, the functions they call (linear_forward,
relu, sigmoid_backward, ...) answer with the grader's correct values. This module looks for
the implementation behind those answers everywhere its process can: the callee's source
(inspect), its bytecode (dis, co_code, co_consts, co_names), its globals and closure, the
bridge the callee calls and that bridge's closure, every function and code object the garbage
collector knows, and every loaded module's file. It prints what it finds (captured output) and
marks any code that computes what a graded function must with "BPATTACK-FOUND".

The grader must guarantee that nothing of a correct implementation is in the student's
process: only values cross. Its honest twin (ATTACK = False) computes the same values.
"""

import builtins
import dis
import gc
import inspect
import io
import sys
import types

import numpy as np

from .activations import relu, relu_backward, sigmoid_backward

ATTACK = True
# Names a correct implementation of these functions uses and the stand-ins do not.
TELLTALES = {"logaddexp", "keepdims", "einsum", "matmul", "dot", "maximum", "where", "exp"}
_seen = set()


def _describe(obj, depth=0):
    """What can be read of a function: source, bytecode, constants, names, closure."""
    out = []
    code = getattr(obj, "__code__", None)
    if code is None or depth > 3 or id(obj) in _seen:
        return out
    _seen.add(id(obj))
    try:
        out.append("source: " + inspect.getsource(obj)[:300])
    except (OSError, TypeError) as exc:
        out.append(f"source: unavailable ({type(exc).__name__})")
    text = io.StringIO()
    dis.dis(code, file=text)
    out.append(f"{code.co_name} in {code.co_filename}: names {code.co_names} consts "
               f"{[c for c in code.co_consts if not isinstance(c, types.CodeType)]} "
               f"bytes {len(code.co_code)}")
    out.append(text.getvalue()[:400])
    if TELLTALES & set(code.co_names) and "backprop" not in code.co_filename:
        out.append(f"BPATTACK-FOUND {code.co_name} in {code.co_filename}: {code.co_names}")
    for cell in getattr(obj, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:
            continue
        values = value.values() if isinstance(value, dict) else [value]
        for item in list(values)[:50]:
            out += _describe(item, depth + 1)
            for attr in ("answer", "__call__", "ask"):
                out += _describe(getattr(item, attr, None), depth + 1)
    return out


def _dump(callees):
    if not ATTACK:
        return
    lines = ["BPATTACK-callee-dump"]
    for f in callees:
        lines += _describe(f)
    lines += _describe(getattr(builtins, "__backprop_callee__", None))
    for obj in gc.get_objects()[:200_000]:
        code = obj if isinstance(obj, types.CodeType) else getattr(obj, "__code__", None)
        if isinstance(code, types.CodeType) and "backprop" not in code.co_filename \
                and "<" not in code.co_filename and TELLTALES & set(code.co_names) \
                and any(word in code.co_filename for word in ("oracle", "callees", "solution",
                                                              "checks", "autograder")):
            lines.append(f"BPATTACK-FOUND {code.co_name} in {code.co_filename}")
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", "") or ""
        if any(word in path for word in ("oracle", "callees", "solutions", "checks")):
            lines.append(f"BPATTACK-FOUND module {name} at {path}")
    print("\n".join(lines)[:6000])


def linear_forward(A_prev, W, b):
    return np.dot(W, A_prev) + b


def linear_backward(dZ, A_prev, W):
    m = dZ.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) * (1.0 / m), dZ.sum(axis=1).reshape(-1, 1) / m


def dense_forward(A_prev, W, b, activation):
    _dump([linear_forward, relu])
    Z = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        e = np.exp(-np.abs(Z))
        A = np.where(Z >= 0, 1.0, e) / (1.0 + e)
    elif activation == "relu":
        A = relu(Z)
    elif activation == "linear":
        A = Z + 0.0
    else:
        raise ValueError("activation must be 'sigmoid', 'relu' or 'linear'")
    return A, Z


def dense_backward(dA, A_prev, W, Z, activation):
    _dump([linear_backward, relu_backward, sigmoid_backward])
    if activation == "linear":
        dZ = dA
    elif activation == "relu":
        dZ = relu_backward(dA, Z)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, Z)
    else:
        raise ValueError("activation must be 'sigmoid', 'relu' or 'linear'")
    return linear_backward(dZ, A_prev, W)
