"""The interactive figures' data and markup (course_lib.plotting.interactive).

The browser test moves the controls in the built book; these tests check, without a browser, that
the embedded curves are the library's values, that every setting has its curves, and that the
markup carries labelled controls, a static fallback and data that cannot end its <script> early.
"""

from __future__ import annotations

import html.parser
import json
import types

import numpy as np
import pytest

from course_lib.activations import get, softmax
from course_lib.experiments import vanishing_gradients
from course_lib.plotting import interactive
from course_lib.plotting.interactive import (
    InteractiveFigure,
    interactive_activation,
    interactive_gelu,
    interactive_softmax,
    interactive_vanishing_gradients,
)


class _Markup(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.data_script = None
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._in_data = tag == "script" and attrs.get("class") == "course-data"

    def handle_endtag(self, tag):
        self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            self.data_script = (self.data_script or "") + data


def _markup(fig: InteractiveFigure) -> _Markup:
    parser = _Markup()
    parser.feed(fig._repr_html_())
    return parser


@pytest.mark.parametrize("name, param, values", [
    ("leaky_relu", "negative_slope", [0.0, 0.01, 0.3]),
    ("elu", "alpha", [0.5, 1.0, 2.0]),
    ("celu", "alpha", [0.5, 1.0, 2.0]),
    ("swish", "beta", [0.5, 1.0, 4.0]),
    ("softplus", "beta", [0.5, 1.0, 4.0]),
])
def test_curves_are_the_library_values(name, param, values):
    """Check that each setting's f and f' curves are the library's, to the 4 digits embedded."""
    fig = interactive_activation(name, param, values, static_values=())
    a = get(name)
    for i, v in enumerate(values):
        f, df = fig.frames[str(i)]["data"]
        x = np.array(f["x"])
        np.testing.assert_allclose(f["y"], a.fn(x, **{param: v}), rtol=1e-3, atol=1e-4)
        np.testing.assert_allclose(df["y"], a.grad(x, **{param: v}), rtol=1e-3, atol=1e-4)
    assert len({json.dumps(fig.frames[str(i)]["data"]) for i in range(len(values))}) == len(values)


def test_markup_has_labelled_keyboard_controls_and_a_fallback():
    """Check the figure's HTML: a static image with alt text, the live part hidden until the script
    reveals it, a labelled range slider announcing its value, and data that parses back."""
    fig = interactive_activation("elu", "alpha", [0.5, 1.0, 2.0])
    m = _markup(fig)
    imgs = [a for t, a in m.tags if t == "img"]
    assert imgs and len(imgs[0]["alt"]) > 40
    live = [a for t, a in m.tags if t == "div" and a.get("class") == "course-live"]
    assert live and "hidden" in live[0]
    slider = next(a for t, a in m.tags if t == "input")
    assert slider["type"] == "range" and slider["aria-valuetext"] == "1" and slider["value"] == "1"
    assert any(t == "label" and a.get("for") == slider["id"] for t, a in m.tags)
    data = json.loads(m.data_script)
    assert set(data["frames"]) == {"0", "1", "2"}


def test_no_static_figure_leaves_a_note_and_is_left_out_of_print():
    fig = interactive_activation("elu", "alpha", [0.5, 1.0], static_values=())
    text = fig._repr_html_()
    assert "course-nostatic" in text and "<img" not in text and "slider" in text


def test_data_cannot_close_its_script():
    """Check that a '</' in the embedded text is escaped (it would end the <script> early)."""
    frames = {"0": {"data": [], "layout": {}, "describe": "a </script><b>"}}
    fig = InteractiveFigure("t", [interactive.Control("c", (1.0,))], frames, None, caption="c")
    body = fig._repr_html_().split('class="course-data">', 1)[1]
    assert body.count("</script>") == 1 and json.loads(body.split("</script>")[0])["frames"]["0"]["describe"] == "a </script><b>"


def test_missing_setting_is_refused():
    with pytest.raises(ValueError, match="no curves computed"):
        InteractiveFigure("t", [interactive.Control("c", (1.0, 2.0))], {"0": {}}, None, caption="c")


def test_unknown_parameter_is_refused():
    with pytest.raises(ValueError, match="elu has no parameter 'beta'"):
        interactive_activation("elu", "beta", [1.0])


def test_gelu_forms_and_difference():
    fig = interactive_gelu(static=False)
    exact, tanh, diff = (fig.frames[k]["data"][0] for k in "012")
    x = np.array(exact["x"])
    np.testing.assert_allclose(exact["y"], get("gelu").fn(x), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(tanh["y"], get("gelu").fn(x, approximate="tanh"), rtol=1e-3, atol=1e-4)
    assert 0 < max(abs(v) for v in diff["y"]) < 1e-2  # the forms differ, by little


def test_softmax_temperature():
    fig = interactive_softmax(logits=(1.0, 0.0, -1.0), temperatures=(0.5, 1.0, 5.0), static=False)
    for i, t in enumerate((0.5, 1.0, 5.0)):
        probs = fig.frames[str(i)]["data"][0]["y"]
        np.testing.assert_allclose(probs, softmax(np.array([1.0, 0.0, -1.0]) / t), rtol=1e-3)
    top = [fig.frames[str(i)]["data"][0]["y"][0] for i in range(3)]
    assert top == sorted(top, reverse=True)  # a higher temperature flattens


def test_vanishing_gradients_frames():
    results = [vanishing_gradients(activations=("sigmoid", "relu"), depth=d, width=16, batch=32, seeds=(0,))
               for d in (3, 6)]
    fig = interactive_vanishing_gradients(results)
    assert set(fig.frames) == set(InteractiveFigure.keys(fig.controls))
    frame = fig.frames["1-0-0"]  # depth 6, sigmoid, matched
    np.testing.assert_allclose(frame["data"][0]["y"], results[1].geometric_mean("sigmoid"), rtol=1e-3)
    assert len(frame["data"][0]["x"]) == 7


def test_sphinx_hook_ships_plotly_only_where_needed(tmp_path):
    """Check the Sphinx extension: plotly.js is added to pages with an interactive figure only, and
    copied from the plotly wheel into the build's _static."""
    handlers, added = {}, []
    app = types.SimpleNamespace(connect=lambda event, fn: handlers.setdefault(event, fn),
                                add_js_file=added.append, outdir=str(tmp_path),
                                builder=types.SimpleNamespace(format="html"))
    interactive.setup(app)
    handlers["html-page-context"](app, "a", "page.html", {"body": "<p>no figure</p>"}, None)
    assert added == []
    handlers["html-page-context"](app, "b", "page.html", {"body": '<figure class="course-figure course-interactive">'}, None)
    assert added == ["plotly.min.js"]
    (tmp_path / "_static").mkdir()
    handlers["build-finished"](app, None)
    copied = tmp_path / "_static" / "plotly.min.js"
    assert copied.stat().st_size == interactive.plotly_js().stat().st_size > 1_000_000
