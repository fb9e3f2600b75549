"""The one plotting package every figure of the book comes from.

Conventions: the function is a solid line, its derivative a dashed line; colours come from
the Okabe-Ito palette, which stays distinguishable under the common colour-vision
deficiencies; every figure shown in the book carries alt text generated from the registry's
properties or from the measured numbers.

- :mod:`.base` -- the palette, line styles, :class:`AccessibleFigure` and small series plots;
- :mod:`.activations` -- the activation curves (one standard figure per activation page);
- :mod:`.experiments` -- the figures of the nine experiments.
"""

from .activations import (  # noqa: F401
    alt_text,
    describe_range,
    plot_activation,
    plot_activations,
    plot_gated,
    plot_glu,
    plot_maxout,
    plot_softmax,
    plot_variants,
    show_activation,
    show_activations,
    show_gated,
    show_glu,
    show_maxout,
    show_softmax,
    show_variants,
)
from .base import (  # noqa: F401
    PALETTE,
    AccessibleFigure,
    figure_html,
    plot_series,
    show_series,
)
from .experiments import (  # noqa: F401
    plot_batchnorm,
    plot_cost,
    plot_dying_relu,
    plot_linear_collapse,
    plot_output_layers,
    plot_selu,
    plot_training_comparison,
    plot_vanishing_gradients,
    plot_zero_centring,
    show_batchnorm,
    show_cost,
    show_dying_relu,
    show_linear_collapse,
    show_output_layers,
    show_selu,
    show_training_comparison,
    show_vanishing_gradients,
    show_zero_centring,
)

__all__ = ['AccessibleFigure', 'PALETTE', 'alt_text', 'describe_range', 'figure_html', 'plot_activation', 'plot_activations', 'plot_batchnorm', 'plot_cost', 'plot_dying_relu', 'plot_gated', 'plot_glu', 'plot_linear_collapse', 'plot_maxout', 'plot_output_layers', 'plot_selu', 'plot_series', 'plot_softmax', 'plot_training_comparison', 'plot_vanishing_gradients', 'plot_variants', 'plot_zero_centring', 'show_activation', 'show_activations', 'show_batchnorm', 'show_cost', 'show_dying_relu', 'show_gated', 'show_glu', 'show_linear_collapse', 'show_maxout', 'show_output_layers', 'show_selu', 'show_series', 'show_softmax', 'show_training_comparison', 'show_vanishing_gradients', 'show_variants', 'show_zero_centring']
