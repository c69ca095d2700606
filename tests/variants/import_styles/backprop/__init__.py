"""Correct variant "import_styles": every way learners bind the functions they call: a star
import (layers.py), a dict of activation functions (layers.py), ``import backprop.layers as L``
and ``from . import losses`` (network.py), a module alias in train.py, calls inside the same
module (activations.py, layers.py)."""
