"""Every activation function of the course and its exact derivative.

``NAME(x, **params)`` is the activation, ``NAME_grad(x, **params)`` its elementwise
derivative; vector-valued activations have ``NAME_vjp(x, g)``. :data:`REGISTRY` holds one
:class:`Activation` record per activation with the properties the book discusses.
"""

from . import gated, rectifiers, shrinkage, sigmoidal, smooth, vector
from .gated import *  # noqa: F403
from .rectifiers import *  # noqa: F403
from .registry import ELEMENTWISE, FAMILIES, REGISTRY, SMOOTHNESS, Activation, get
from .shrinkage import *  # noqa: F403
from .sigmoidal import *  # noqa: F403
from .smooth import *  # noqa: F403
from .vector import *  # noqa: F403

__all__ = ["REGISTRY", "ELEMENTWISE", "FAMILIES", "SMOOTHNESS", "Activation", "get"]
for _module in (sigmoidal, rectifiers, smooth, shrinkage, vector, gated):
    __all__ += _module.__all__
del _module
