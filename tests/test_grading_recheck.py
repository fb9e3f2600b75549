"""The trusted re-check on its own (fast: no Jupyter kernel, only the isolated Python process)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_lib.grading import checks, recheck, spec

A1 = spec.get_assignment("a1_sigmoid_tanh")


def _solution(code):
    return re.sub(r"^\s*### (BEGIN|END) SOLUTION\n", "", code, flags=re.MULTILINE)


def _nb(cells):
    meta = {"nbgrader": {"solution": True, "grade": False, "grade_id": "x", "locked": False, "schema_version": 3}}
    return new_notebook(cells=[new_code_cell(c, metadata=meta) for c in cells])


@pytest.mark.parametrize("assignment", spec.ASSIGNMENTS, ids=lambda a: a.id)
def test_reference_solutions_pass_every_case_in_the_kernel_rules(assignment):
    ns = {"np": np}
    for part in assignment.parts:
        exec(_solution(part.code), ns)  # noqa: S102 -- our own reference code
    rng = np.random.default_rng(0)
    for test in assignment.tests:
        for case in test.cases:
            args, kwargs = case.make(rng)
            assert checks.evaluate(test, case, args, kwargs, checks.observe(ns[test.function], args, kwargs)) == []


@pytest.mark.parametrize("assignment", spec.ASSIGNMENTS, ids=lambda a: a.id)
def test_reference_solutions_pass_the_recheck(assignment):
    verdicts, notes = recheck.recheck_notebook(assignment, _nb([_solution(p.code) for p in assignment.parts]))
    assert all(v.passed for v in verdicts.values()), {k: v.message for k, v in verdicts.items() if not v.passed}
    assert notes["cell_errors"] == [] and notes["forbidden"] == {}


BASE = [_solution(p.code) for p in A1.parts]

ATTACKS = {
    "os._exit": ("import os\ndef sigmoid(x):\n    os._exit(3)\n", "ended the Python process (exit code 3"),
    "infinite loop": ("def sigmoid(x):\n    while True:\n        pass\n", "did not finish within 3 s"),
    "memory bomb": ("def sigmoid(x):\n    hog = []\n    while True:\n        hog.append(bytearray(10**8))\n",
                    "MemoryError (more memory than the grader allows)"),
    "reads a file": ("def sigmoid(x):\n    return open('/etc/hostname').read()\n", "blocked by the grader: reading"),
    "lists a folder": ("import os\ndef sigmoid(x):\n    return os.listdir('/')\n", "blocked by the grader: listing"),
    "starts a process": ("import os\ndef sigmoid(x):\n    os.system('true')\n", "blocked by the grader: os.system"),
    "imports the reference": ("from course_lib.activations import sigmoid\n", "sigmoid uses course_lib"),
    "imports torch lazily": ("def sigmoid(x):\n    import torch\n    return torch.sigmoid(x)\n", "sigmoid uses torch"),
    "sneaky import": (("def sigmoid(x):\n    m = __import__('course' + '_lib.activations', fromlist=['x'])\n"
                       "    return m.sigmoid(x)\n"), "importing course_lib is not allowed"),
    "subclass": (("class AE(np.ndarray):\n    def __eq__(self, o):\n        return True\n"
                  "def sigmoid(x):\n    return np.zeros_like(np.asarray(x, float)).view(AE)\n"), "expected a plain NumPy"),
    "reaches into the grader": ("import gc\ndef sigmoid(x):\n    return len(gc.get_objects())\n",
                                "blocked by the grader: gc.get_objects"),
    "sys.exit": ("import sys\ndef sigmoid(x):\n    sys.exit(0)\n", "sigmoid raised SystemExit: 0"),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_on_sigmoid_fail_only_sigmoid(attack):
    code, message = ATTACKS[attack]
    verdicts, _ = recheck.recheck_notebook(A1, _nb([code] + BASE[1:]), timeout=3)
    failing = {k for k, v in verdicts.items() if not v.passed}
    assert failing == {"test_sigmoid_values", "test_sigmoid_stability"}
    assert message in verdicts["test_sigmoid_values"].message


def test_code_that_dies_while_loading_fails_everything_with_a_reason():
    verdicts, _ = recheck.recheck_notebook(A1, _nb(["import os\nos._exit(0)"] + BASE), timeout=3)
    assert not any(v.passed for v in verdicts.values())
    assert "your code could not be loaded" in verdicts["test_tanh_values"].message


def test_hidden_inputs_are_never_printed():
    wrong = "def sigmoid(x):\n    return np.asarray(x) * 0 + 0.5\n"
    verdicts, _ = recheck.recheck_notebook(A1, _nb([wrong] + BASE[1:]))
    msg = verdicts["test_sigmoid_values"].message
    assert "at x = -4.5" in msg  # a visible input is shown
    hidden = [line for line in msg.splitlines() if "hidden test" in line]
    assert hidden and not any("at x" in line for line in hidden)


#: right except above 2.5: fails on the visible inputs, and on the random ones it draws above 2.5
CLIPPED = "def sigmoid(x):\n    x = np.asarray(x)\n    return np.where(x > 2.5, 1.0, 1 / (1 + np.exp(-x)))\n"


def _random_clause(verdict) -> str:
    return next(line for line in verdict.message.splitlines() if "on random inputs" in line)


def test_the_seed_is_the_submissions_own():
    seed = recheck.submission_seed("a1_sigmoid_tanh", "ada", "a1_sigmoid_tanh")
    assert seed == recheck.submission_seed("a1_sigmoid_tanh", "ada", "a1_sigmoid_tanh")
    others = {recheck.submission_seed("a1_sigmoid_tanh", s, "a1_sigmoid_tanh") for s in ("bob", "ada2", "")}
    others.add(recheck.submission_seed("a2_relu_family", "ada", "a2_relu_family"))
    assert seed not in others and len(others) == 4


def test_a_regrade_quotes_the_same_random_inputs_and_another_student_gets_others():
    nb = _nb([CLIPPED] + BASE[1:])
    first, _ = recheck.recheck_notebook(A1, nb, seed=recheck.submission_seed(A1.id, "ada"))
    again, _ = recheck.recheck_notebook(A1, nb, seed=recheck.submission_seed(A1.id, "ada"))
    other, _ = recheck.recheck_notebook(A1, nb, seed=recheck.submission_seed(A1.id, "bob"))
    assert {k: v.message for k, v in first.items()} == {k: v.message for k, v in again.items()}
    quoted = _random_clause(first["test_sigmoid_values"])
    assert re.search(r"at x = [0-9.]+: expected", quoted)  # the failing random values are quoted
    assert _random_clause(other["test_sigmoid_values"]) != quoted
