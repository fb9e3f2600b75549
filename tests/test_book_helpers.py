"""The book's helpers (course_lib.book, the figure functions) and the book's sources.

These run without building the book: they check that every activation has a page, that every
property card and table is well-formed Markdown generated from the registry, that every bibkey
is defined, and that the TOC and the chapter files agree.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from course_lib import book, plotting
from course_lib.activations import ELEMENTWISE, REGISTRY

ROOT = Path(__file__).resolve().parents[1]


def toc_docs() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    docs = [toc["root"]]

    def walk(items):
        for item in items:
            docs.append(item["file"])
            walk(item.get("sections", []))

    for part in toc["parts"]:
        walk(part["chapters"])
    return docs


def bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "book" / "references.bib").read_text(), re.MULTILINE))


def table_rows(markdown: str) -> list[list[str]]:
    """Split a Markdown table into cells, honouring escaped pipes as GFM does."""
    rows = []
    for line in markdown.strip().splitlines():
        assert line.startswith("|") and line.endswith("|"), f"not a table row: {line!r}"
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


# ---- coverage: every activation is taught somewhere, with a figure ----------------------------

def test_every_registry_activation_has_a_page():
    """Check that PAGES maps exactly the registry's names, each to a chapter listed in the TOC."""
    assert set(book.PAGES) == set(REGISTRY)
    docs = set(toc_docs())
    for name, doc in book.PAGES.items():
        assert doc in docs, f"{name}: {doc} is not in _toc.yml"
        assert (ROOT / f"{doc}.md").exists(), f"{name}: {doc}.md does not exist"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_page_draws_the_activation(name):
    """Check that the page teaching each activation calls a figure helper for it."""
    text = (ROOT / f"{book.PAGES[name]}.md").read_text()
    a = REGISTRY[name]
    if a.elementwise:
        pattern = rf"show_(activation|variants)\(\s*\"{name}\"|show_activations\(\[[^\]]*\"{name}\""
    else:
        gated = {n: r"show_gated\(" for n in ("reglu", "geglu", "swiglu")}
        pattern = {"glu": r"show_glu\(", "maxout": r"show_maxout\(", **gated}.get(name, r"show_softmax\(")
    assert re.search(pattern, text), f"{book.PAGES[name]}.md shows no figure of {name}"


def test_toc_and_chapter_files_agree():
    """Check that every chapter in book/ is in the TOC and every TOC entry exists."""
    docs = toc_docs()
    assert len(docs) == len(set(docs)), "a page is listed twice in _toc.yml"
    for doc in docs:
        assert (ROOT / f"{doc}.md").exists(), f"{doc}.md listed in _toc.yml but missing"
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").rglob("*.md")}
    assert on_disk <= set(docs), f"chapters not in the TOC: {sorted(on_disk - set(docs))}"


def test_every_exercise_has_a_page_linking_the_student_notebook():
    """Check one page per assignment, with a download link to exercises/<id>/<id>.ipynb, never solutions/."""
    for ex in book.EXERCISES:
        text = (ROOT / "book" / "exercises" / f"{ex}.md").read_text()
        assert "{download}`" in text and f"exercises/{ex}/{ex}.ipynb" in text, ex
        assert "solutions/" not in text.replace("`solutions/`", ""), f"{ex}: links into solutions/"


# ---- bibliography -----------------------------------------------------------------------------

def test_every_bibkey_is_defined():
    """Check that every registry bibkey and every {cite} key in the chapters is in references.bib."""
    keys = bib_keys()
    missing = {a.bibkey for a in REGISTRY.values()} - keys
    assert not missing, f"registry bibkeys missing from references.bib: {sorted(missing)}"
    for md in (ROOT / "book").rglob("*.md"):
        for group in re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", md.read_text()):
            for key in group.split(","):
                assert key.strip() in keys, f"{md.relative_to(ROOT)} cites unknown key {key!r}"


def test_bibliography_entries_are_complete():
    """Check that every entry has an author, a title and a year."""
    text = (ROOT / "book" / "references.bib").read_text()
    for entry in re.split(r"\n(?=@)", text.split("\n@", 1)[1].join(["@", ""])):
        key = re.match(r"@\w+\{([^,]+),", entry).group(1)
        for field in ("author", "title", "year"):
            assert re.search(rf"^\s*{field}\s*=", entry, re.MULTILINE), f"{key}: no {field}"


# ---- property cards and tables ---------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_property_card_is_a_two_column_table_from_the_registry(name):
    """Check the card's shape, that its math is balanced, and that it states the registry's values."""
    a = REGISTRY[name]
    card = book.property_card_markdown(name)
    rows = table_rows(card)
    assert all(len(r) == 2 for r in rows), f"{name}: a row does not have 2 cells (unescaped | in math?)"
    cells = {r[0]: r[1] for r in rows[2:]}
    assert rows[0][0] == a.title
    for value in cells.values():
        assert value.count("$") % 2 == 0, f"{name}: unbalanced $ in {value!r}"
    assert f"{{cite:p}}`{a.bibkey}`" in cells["Introduced"]
    assert str(a.year) in cells["Introduced"]
    assert (a.pytorch or "none built in") in cells["PyTorch"]
    assert (a.keras or "none built in") in cells["Keras"]
    if a.elementwise:
        assert cells["Monotonic"] == ("yes" if a.monotonic else "no")
        assert cells["Zero-centred (odd)"] == ("yes" if a.zero_centred else "no")


def test_property_card_values_for_known_activations():
    """Check a few cards against facts stated in the chapters."""
    relu = {r[0]: r[1] for r in table_rows(book.property_card_markdown("relu"))[2:]}
    assert relu["Output range"] == r"$[0, \infty)$"
    assert relu["Bounded"] == "below only"
    assert relu["Kinks (library's $f'$ there)"] == "$f'(0) = 0$"
    assert relu["Saturates"].startswith("left tail only")
    tanh = {r[0]: r[1] for r in table_rows(book.property_card_markdown("tanh"))[2:]}
    assert tanh["Output range"] == "$(-1, 1)$" and tanh["Kinks"] == "none"
    assert tanh["Smoothness"].startswith("smooth")
    selu = {r[0]: r[1] for r in table_rows(book.property_card_markdown("selu"))[2:]}
    assert selu["Self-normalising"] == "yes"
    assert "1.758" in selu["Kinks (library's $f'$ there)"]  # lambda * alpha, the left derivative
    gelu = {r[0]: r[1] for r in table_rows(book.property_card_markdown("gelu"))[2:]}
    assert "approximate=True" in gelu["Framework notes"]


@pytest.mark.parametrize("name,expected", [
    ("sigmoid", "$(0, 1)$"),  # limits only: no finite input gives 0 or 1
    ("hard_sigmoid", "$[0, 1]$"),  # flat pieces reach both ends
    ("relu", r"$[0, \infty)$"),
    ("relu6", "$[0, 6]$"),
    ("leaky_relu6", r"$(-\infty, 6]$"),
    ("elu", r"$(-1, \infty)$"),  # -alpha is a limit at -infinity
    ("softplus", r"$(0, \infty)$"),
    ("gelu", r"$[-0.17, \infty)$"),  # an interior minimum is reached
    ("hard_swish", r"$[-0.375, \infty)$"),
    ("log_sigmoid", r"$(-\infty, 0)$"),
    ("threshold", r"$[0, \infty)$"),
    ("softmax", "$(0, 1)$"),
    ("glu", r"$\mathbb{R}$"),
])
def test_range_notation_is_exact(name, expected):
    """Check open and closed ends: a bracket only where some finite input gives the bound."""
    assert book.range_math(name) == expected


def test_claim_returns_the_text_or_fails_naming_it():
    """Check that a true claim passes through and a false one raises, quoting the sentence and the numbers."""
    assert book.claim(bool(np.float64(2.0) > 1.0), "ELU costs more than ReLU") == "ELU costs more than ReLU"
    assert book.claim(np.float64(2.0) > 1.0, "a numpy bool is a bool") == "a numpy bool is a bool"
    with pytest.raises(book.ClaimError, match=r'claims "sigmoid is slower than tanh".*sigmoid=0\.1, tanh=0\.5'):
        book.claim(0.1 > 0.5, "sigmoid is slower than tanh", sigmoid=0.1, tanh=0.5)
    with pytest.raises(AssertionError):  # a ClaimError is an AssertionError: a failed cell fails the build
        book.claim(False, "anything")
    with pytest.raises(TypeError, match="must be a bool"):
        book.claim(np.array([True, False]), "an array is not a claim")


def test_glue_hands_back_the_value(monkeypatch):
    """Check that glue passes the value to myst_nb without displaying it and returns it."""
    import myst_nb

    seen = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: seen.append((name, value, display)))
    assert book.glue("x", 0.25) == 0.25
    assert seen == [("x", 0.25, False)]
    value = book.glue("y", np.float64(0.5))
    assert type(value) is float and type(seen[-1][1]) is float  # formattable by {glue:text}`y:.2f`


def test_glue_defaults_glues_each_argument(monkeypatch):
    """Check that an experiment's defaults are glued by name, tuples with their length and ends."""
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: seen.__setitem__(name, value))

    def experiment(data, hidden=(64, 32), epochs: int = 8, lr: float = 0.1, rng=None):
        return data

    assert book.glue_defaults("ex", experiment) == {"hidden": (64, 32), "epochs": 8, "lr": 0.1, "rng": None}
    assert seen == {"ex_hidden": "64, 32", "ex_hidden_n": 2, "ex_hidden_0": 64, "ex_hidden_last": 32,
                    "ex_epochs": 8, "ex_lr": 0.1}


def test_cost_ratio_orders_gelu_above_relu():
    """Check the measured ratio the activation pages glue: exact GELU costs more than ReLU."""
    assert book.cost_ratio("gelu", repeats=3) > 1.0


def test_no_page_shows_glue_plumbing():
    """Check that no chapter imports myst_nb in a cell readers see (glue lives in remove-cell cells)."""
    for page in (ROOT / "book").rglob("*.md"):
        for cell in re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", page.read_text(), re.DOTALL):
            if "glue(" in cell or "myst_nb" in cell:
                assert cell.lstrip().startswith(":tags: [remove-cell]"), f"{page.relative_to(ROOT)}: glue in a visible cell"


def test_card_math_escapes_pipes():
    """Check that |x| in a formula does not split the table cell."""
    card = book.property_card_markdown("softsign")
    assert r"\vert" in card
    assert all(len(r) == 2 for r in table_rows(card))


def test_frameworks_table():
    """Check one row per activation, with both framework names."""
    rows = table_rows(book.frameworks_markdown(["gelu", "swish", "prelu"]))
    assert len(rows) == 2 + 3 and all(len(r) == 5 for r in rows)
    assert rows[2][1] == "`torch.nn.GELU`" and rows[3][1] == "none" and rows[4][2] == "none"


def test_measure_cost_is_positive_and_orders_cheap_before_expensive():
    """Check that the cost measurement returns ns/element and that exact GELU costs more than ReLU."""
    relu = book.measure_cost("relu", n=20_000, repeats=3)
    gelu = book.measure_cost("gelu", n=20_000, repeats=3)
    assert 0 < relu < 1e4 and gelu > relu
    assert book.measure_cost("softmax", n=8_000, repeats=2) > 0  # vector-valued path


def test_comparison_table_covers_the_registry():
    """Check one row per registry activation with given costs, links to its page and the ReLU ratio."""
    costs = {name: float(i + 1) for i, name in enumerate(REGISTRY)}
    rows = table_rows(book.comparison_markdown(costs=costs))
    assert len(rows) == 2 + len(REGISTRY)
    assert all(len(r) == len(rows[0]) == 8 for r in rows)
    for row, name in zip(rows[2:], REGISTRY):
        assert f"</{book.PAGES[name]}>" in row[0]
        assert float(row[-2]) == costs[name]
        assert math.isclose(float(row[-1]), round(costs[name] / costs["relu"], 1))


# ---- figures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_show_activation_renders_png_with_alt_text(name):
    """Check that the standard figure is a PNG inside a <figure> with the registry's alt text."""
    fig = plotting.show_activation(name)
    assert fig.png.startswith(b"\x89PNG")
    html = fig._repr_html_()
    assert '<img src="data:image/png;base64,' in html and 'class="course-figure"' in html
    assert plotting.alt_text(name).split(":")[0] in fig.alt


def test_vector_figures_and_series():
    """Check the figures of the vector-valued activations and the series plot."""
    for fig in (plotting.show_softmax(), plotting.show_glu(), plotting.show_maxout(),
                plotting.show_series(np.arange(3), {"a": [1, 2, 3]}, "x", "y", logy=True)):
        assert fig.png.startswith(b"\x89PNG") and len(fig.alt) > 40
    assert "T=0.5" in plotting.show_softmax().alt


def test_figures_are_closed():
    """Check that rendering a figure does not leak open matplotlib figures."""
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    plotting.show_variants("leaky_relu", [{}, {"negative_slope": 0.2}], caption="c")
    assert len(plt.get_fignums()) == before


def test_caption_is_escaped():
    """Check that captions and alt text are HTML-escaped."""
    html = plotting.figure_html(plotting.plot_activation("relu"), alt='a "quote" <b>', caption="x < y")._repr_html_()
    assert "&lt;b&gt;" in html and "x &lt; y" in html and "&quot;quote&quot;" in html


def test_describe_range_brackets():
    """Check that infinite ends get parentheses and finite ends brackets, in alt text too."""
    assert plotting.describe_range("relu") == "[0, ∞)"
    assert plotting.describe_range("tanh") == "[−1, 1]"
    assert plotting.describe_range("identity") == "(−∞, ∞)"
    assert "output range [0, ∞)" in plotting.alt_text("relu")
