"""How a registry record's name and parameters become a PyTorch or Keras call.

The registry (``course_lib/activations/registry.py``) names each activation's PyTorch module
and Keras function and holds the *library's* default parameters. The frameworks spell some
parameters differently, lack some, add some, and default some differently; every such case is
listed here, once, and the tests in this folder check each entry against the framework.
"""

from __future__ import annotations

import importlib
import inspect

#: a framework argument that has no default (the caller must pass it)
REQUIRED = "required, no default"

#: (framework, activation, library parameter) -> the framework's argument name, where it differs
ARG_NAME = {
    ("torch", "prelu", "alpha"): "init",
    ("torch", "softmax", "axis"): "dim",
    ("torch", "log_softmax", "axis"): "dim",
    ("torch", "softmin", "axis"): "dim",
    ("torch", "glu", "axis"): "dim",
    ("keras", "softshrink", "lambd"): "threshold",
    ("keras", "hardshrink", "lambd"): "threshold",
    ("keras", "threshold", "value"): "default_value",
}

#: (framework, activation, library parameter) -> {library value: framework value}
ARG_VALUE = {
    ("keras", "gelu", "approximate"): {"none": False, "tanh": True},
}

#: (framework, activation, library parameter) -> the value the framework's function is fixed at
#: (the framework has no argument for it)
FIXED = {
    ("torch", "hard_sigmoid", "variant"): "pytorch",
    ("keras", "hard_sigmoid", "variant"): "pytorch",
    ("keras", "softplus", "beta"): 1.0,
    ("keras", "swish", "beta"): 1.0,
    ("keras", "hard_tanh", "min_val"): -1.0,
    ("keras", "hard_tanh", "max_val"): 1.0,
}

#: (framework, activation, library parameter) -> (the framework's default, where the registry's
#: ``framework_notes`` say so): defaults that differ from the library's
DIFFERENT_DEFAULT = {
    ("keras", "leaky_relu", "negative_slope"): (0.2, "0.2 in keras.activations.leaky_relu"),
    ("torch", "threshold", "threshold"): (REQUIRED, "nn.Threshold(threshold, value)"),
    ("torch", "threshold", "value"): (REQUIRED, "nn.Threshold(threshold, value)"),
    ("keras", "threshold", "threshold"): (REQUIRED, "threshold(x, threshold, default_value)"),
    ("keras", "threshold", "value"): (REQUIRED, "threshold(x, threshold, default_value)"),
    ("torch", "softmax", "axis"): (None, "dim=None"),
    ("torch", "log_softmax", "axis"): (None, "dim=None"),
    ("torch", "softmin", "axis"): (None, "dim=None"),
}

#: (framework, activation, argument) -> its default: arguments the library does not have. At the
#: default they leave the function equal to the library's, except where ``framework_notes`` say
#: otherwise (softplus' threshold)
EXTRA_ARG = {
    ("torch", "softplus", "threshold"): 20.0,
    ("keras", "relu", "negative_slope"): 0.0,
    ("keras", "relu", "max_value"): None,
    ("keras", "relu", "threshold"): 0.0,
}

#: framework arguments that change how a result is stored or shaped, never its value
#: (Hardtanh's ``min_value``/``max_value`` are deprecated aliases of ``min_val``/``max_val``)
STORAGE_ARGS = {
    "torch": {"self", "inplace", "device", "dtype", "num_parameters", "min_value", "max_value"},
    "keras": {"x"},
}


def resolve(path: str):
    """The object a dotted name such as ``"torch.nn.ReLU"`` refers to."""
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def framework_name(framework: str, act) -> str | None:
    return act.pytorch if framework == "torch" else act.keras


def signature_defaults(framework: str, act) -> dict:
    """The framework's arguments and their defaults (``REQUIRED`` when none), storage ones left out."""
    obj = resolve(framework_name(framework, act))
    sig = inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    return {
        name: REQUIRED if p.default is inspect.Parameter.empty else p.default
        for name, p in sig.parameters.items()
        if name not in STORAGE_ARGS[framework] and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def framework_kwargs(framework: str, name: str, params: dict) -> dict | None:
    """The framework's keyword arguments for the library's ``params``; None if it cannot express them."""
    out = {}
    for key, value in params.items():
        if (framework, name, key) in FIXED:
            if value != FIXED[framework, name, key]:
                return None
            continue
        value = ARG_VALUE.get((framework, name, key), {}).get(value, value)
        out[ARG_NAME.get((framework, name, key), key)] = value
    return out
