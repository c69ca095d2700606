"""ATTACK lying_objects: return objects that claim to equal anything.

What it tries (every value underneath is WRONG):
- sigmoid: an ndarray subclass whose ==, !=, <, <=, __bool__ and __array_ufunc__ all say
  "equal"/"true";
- sigmoid_derivative: a non-array object with __array__, __eq__, __float__, __len__, shape and
  dtype that impersonate the expected array;
- sigmoid_backward: an object-dtype array of lying objects;
- relu: a plain array whose __reduce__ smuggles code: unpickling it in the trusted process
  would create a marker file (a pickle bomb);
- relu_backward: a float-like whose __float__ raises and __eq__ says True.
losses.py and layers.py add a lying float for mse_loss, a pickle-bomb subclass for
mse_loss_backward and a lying tuple for linear_backward.

What the grader must guarantee: outputs cross the process boundary as plain data
(np.load(..., allow_pickle=False) or equivalent) and are compared in the trusted process, which
never unpickles student objects; so the marker file never appears and none of these functions
earns more than its honest twin (plain arrays with the same wrong values).
"""

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False
BOMB_MARKER = "/tmp/BPATTACK-unpickled-by-the-grader"


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool).view(Liar)

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)

    def __lt__(self, other):
        return True

    __le__ = __lt__

    def __bool__(self):
        return True

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(x) for x in inputs]
        result = getattr(ufunc, method)(*plain, **kwargs)
        return np.zeros_like(result) if np.ndim(result) else 0.0


class Impostor:
    def __init__(self, shape):
        self.shape, self.dtype, self.ndim = tuple(shape), np.dtype(float), len(shape)

    def __array__(self, dtype=None, copy=None):
        return np.full(self.shape, 0.123)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 0.0

    def __len__(self):
        return self.shape[0]

    __hash__ = object.__hash__


# exec is importable in any process, so unpickling a Bomb anywhere runs this code there
PAYLOAD = (
    "import os\n"
    f"with open({BOMB_MARKER!r}, 'w') as f:\n"
    "    f.write(f'unpickled in pid {os.getpid()} uid {os.getuid()}')\n"
)


class Bomb(np.ndarray):
    def __reduce__(self):
        return (exec, (PAYLOAD,))

    def __reduce_ex__(self, protocol):
        return self.__reduce__()


class SlipperyFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        raise TypeError("no float for you")

    __hash__ = float.__hash__


def sigmoid(Z):
    out = np.full(np.shape(Z), 0.5)
    return out.view(Liar) if ATTACK else out


def sigmoid_derivative(Z):
    return Impostor(np.shape(Z)) if ATTACK else np.full(np.shape(Z), 0.123)


def sigmoid_backward(dA, Z):
    if not ATTACK:
        return np.full(np.shape(Z), 0.123)
    out = np.empty(np.shape(Z), dtype=object)
    for idx in np.ndindex(*out.shape):
        out[idx] = Impostor((1,))
    return out


def relu(Z):
    out = np.abs(np.asarray(Z, dtype=float))
    return out.view(Bomb) if ATTACK else out


def relu_backward(dA, Z):
    return SlipperyFloat(0.0) if ATTACK else 0.0
