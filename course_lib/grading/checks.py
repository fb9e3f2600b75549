"""What a graded test cell calls: compare a student's function with ``course_lib``.

A test cell is two lines (the second pair inside ``### BEGIN HIDDEN TESTS``)::

    from course_lib.grading import checks
    checks.run("a1_sigmoid_tanh", "test_sigmoid_values", sigmoid)
    checks.run("a1_sigmoid_tanh", "test_sigmoid_values", sigmoid, hidden=True)

:func:`run` calls the function on every input :class:`~course_lib.grading.spec.Case` of the
test, and raises ``AssertionError`` with one line per failing kind of input ("sigmoid is wrong
on large negative inputs ..."), showing expected vs got on at most three *visible* inputs and
never a hidden input. Warnings are caught, so a value test never fails merely because a
warning reached stderr (nbgrader scores any stderr output 0); the stability cases fail on them.

The comparison itself (:func:`evaluate`) works on an :class:`Observed` record, so the trusted
re-check (:mod:`course_lib.grading.recheck`) uses exactly the same rules on results it gets
back from an isolated process.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from . import spec as _spec

__all__ = ["Failure", "Observed", "describe_type", "evaluate", "observe", "run"]

MAX_SHOWN = 3


@dataclass
class Observed:
    """What a call of the student's function produced (in the kernel or in the sandbox)."""

    error: str | None = None  #: "ValueError: ..." if it raised
    outputs: list[np.ndarray] | None = None  #: the returned array(s) as plain float64/float32 arrays
    types: list[str] = field(default_factory=list)  #: type of each returned item, e.g. "ndarray", "float"
    plain: list[bool] = field(default_factory=list)  #: item is a plain ndarray / NumPy scalar / float
    is_tuple: bool = False
    warnings: list[str] = field(default_factory=list)
    mutated: bool = False


@dataclass(frozen=True)
class Failure:
    """One failing case: ``kind`` is the input kind (for the report), ``reason`` a short tag."""

    kind: str
    reason: str  #: "exception", "type", "shape", "dtype", "values", "warning", "mutated", ...
    message: str


def describe_type(obj) -> tuple[str, bool]:
    """``(type name, is it a plain result)``: plain means exactly ``ndarray``, a NumPy scalar or a float."""
    t = type(obj)
    plain = t is np.ndarray or isinstance(obj, np.generic) or t in (float, int)
    name = t.__name__ if t.__module__ in ("builtins", "numpy") else f"{t.__module__}.{t.__name__}"
    return name, plain


def _to_plain(obj) -> np.ndarray:
    if isinstance(obj, np.ndarray):
        return np.array(obj.view(np.ndarray), copy=True)
    arr = np.array(obj, copy=True)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"not an array of numbers (dtype {arr.dtype})")
    return arr


def observe(func, args: tuple, kwargs: dict) -> Observed:
    """Call ``func(*args, **kwargs)`` on copies of the inputs, catching exceptions and warnings."""
    __tracebackhide__ = True
    args_in = tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)
    obs = Observed()
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            result = func(*args_in, **kwargs)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            obs.error = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:300]
            result = None
    obs.warnings = [f"{w.category.__name__}: {w.message}" for w in caught][:5]
    obs.mutated = any(isinstance(a, np.ndarray) and not np.array_equal(a, b, equal_nan=True)
                      for a, b in zip(args, args_in))
    if obs.error is None:
        obs.is_tuple = isinstance(result, tuple)
        items = list(result) if obs.is_tuple else [result]
        obs.outputs = []
        for item in items:
            name, plain = describe_type(item)
            obs.types.append(name)
            obs.plain.append(plain)
            try:
                obs.outputs.append(_to_plain(item))
            except Exception as exc:  # noqa: BLE001
                obs.outputs.append(None)
                obs.types[-1] += f" ({exc})"
    return obs


def _fmt(v) -> str:
    a = np.asarray(v)
    if a.ndim == 0:
        return f"{float(a)!r}" if a.dtype.kind == "f" else repr(a.item())
    return np.array2string(a, precision=6, threshold=8, max_line_width=60)


def _show(x) -> str:
    if isinstance(x, np.ndarray) and x.ndim > 0 and x.size > 1:
        return "x = " + _fmt(x)
    return "x = " + _fmt(x)


def _compare_values(name, exp, got, case, hidden, first_arg, elementwise) -> Failure | None:
    exp64 = np.asarray(exp, dtype=np.float64)
    got64 = np.asarray(got, dtype=np.float64)
    with np.errstate(all="ignore"):
        nan_ok = np.isnan(exp64) == np.isnan(got64)
        inf_ok = np.where(np.isinf(exp64) | np.isinf(got64), exp64 == got64, True)
        close = np.abs(got64 - exp64) <= case.atol + case.rtol * np.abs(exp64)
        same_special = (np.isnan(exp64) & np.isnan(got64)) | (np.isinf(exp64) & (exp64 == got64))
        ok = nan_ok & inf_ok & (close | same_special)
    if ok.all():
        return None
    bad = np.flatnonzero(~ok.ravel())
    msg = f"{name} is wrong on {case.kind}: {bad.size} of {ok.size} values differ"
    if hidden:
        with np.errstate(all="ignore"):
            rel = np.abs(got64 - exp64) / np.maximum(np.abs(exp64), 1e-300)
            worst = np.max(np.where(ok, 0.0, np.where(np.isfinite(rel), rel, np.inf)))
        msg += f" (hidden test; largest relative error {worst:.1e})"
    elif elementwise and np.shape(first_arg) == np.shape(exp):
        xs = np.asarray(first_arg).ravel()
        shown = [f"at x = {_fmt(xs[i])}: expected {_fmt(exp64.ravel()[i])}, got {_fmt(got64.ravel()[i])}"
                 for i in bad[:MAX_SHOWN]]
        msg += "; " + "; ".join(shown)
    else:
        shown = []
        for i in bad[:MAX_SHOWN]:
            idx = np.unravel_index(i, exp64.shape) if exp64.ndim else ()
            where = f"at index {tuple(int(k) for k in idx)}" if exp64.ndim else "the value"
            shown.append(f"{where}: expected {_fmt(exp64.ravel()[i])}, got {_fmt(got64.ravel()[i])}")
        msg += "; " + "; ".join(shown)
    return Failure(case.kind, "values", msg)


def evaluate(test: _spec.Test, case: _spec.Case, args: tuple, kwargs: dict, obs: Observed) -> list[Failure]:
    """Compare an observed call with the reference; an empty list means the case passed."""
    name, kind, hidden = test.function, case.kind, case.hidden
    on = f"on {kind}"
    if obs.error is not None:
        # on an input the student must not learn (hidden or random), only the exception's type:
        # its text could carry the input out, a few bytes per grading
        error = obs.error.split(":", 1)[0] if case.hidden or case.random else obs.error
        return [Failure(kind, "exception", f"{name} raised {error} {on}")]
    expected = (case.reference or test.reference)(*args, **kwargs)
    exp_items = list(expected) if test.outputs else [expected]
    names = test.outputs or ("result",)
    if test.outputs and (not obs.is_tuple or len(obs.outputs) != len(exp_items)):
        got = f"a tuple of {len(obs.outputs)}" if obs.is_tuple else f"a single {obs.types[0]}"
        return [Failure(kind, "type", f"{name} must return a tuple ({', '.join(names)}); it returned {got} {on}")]
    if not test.outputs and obs.is_tuple:
        return [Failure(kind, "type", f"{name} returned a tuple {on}; expected one array")]
    failures = []
    compare = test.compare if test.compare is not None else range(len(exp_items))
    for i in compare:
        exp, got, label = np.asarray(exp_items[i]), obs.outputs[i], names[i]
        what = name if not test.outputs else f"{name}'s {label}"
        if got is None or not obs.plain[i]:
            failures.append(Failure(kind, "type", f"{what} returned {obs.types[i]} {on}; expected a plain "
                                    "NumPy array (not a list, and not a subclass of numpy.ndarray)"))
            continue
        if got.shape != exp.shape:
            failures.append(Failure(kind, "shape", f"{what} returned shape {got.shape} {on}; expected {exp.shape}"
                                    + (" (the same shape as x)" if not test.outputs else "")))
            continue
        if exp.dtype.kind == "f" and got.dtype != exp.dtype:
            rule = "float32 in, float32 out" if exp.dtype == np.float32 else "float64 in, float64 out"
            failures.append(Failure(kind, "dtype", f"{what} returned dtype {got.dtype} {on}; expected {exp.dtype} "
                                    f"({rule})"))
            continue
        fail = _compare_values(what, exp, got, case, hidden, args[0] if args else None, not test.outputs)
        if fail:
            failures.append(fail)
    if case.no_warnings and obs.warnings:
        failures.append(Failure(kind, "warning", f"{name} raised {obs.warnings[0]} {on}; use a formula that "
                                "cannot overflow (e.g. exp of a non-positive number)"))
    if obs.mutated:
        failures.append(Failure(kind, "mutated", f"{name} modified its input in place {on}; "
                                "compute a new array instead"))
    return failures


def _gradient_check(test, cases, func, tol: float = 1e-6) -> list[Failure]:
    """Compare the returned gradients with central differences of the returned loss (argument 2 on)."""
    from ..gradcheck import numerical_gradient, rel_error

    failures = []
    for case in cases:
        args, kwargs = case.make(np.random.default_rng(0))
        args = [np.array(a, dtype=np.float64) if i >= 2 else a for i, a in enumerate(args)]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            analytic = func(*args, **kwargs)
            for name, i, grad in zip(test.outputs[1:], range(2, len(args)), analytic[1:]):
                num = numerical_gradient(lambda a=args, k=kwargs: float(func(*a, **k)[0]), args[i])
                err = rel_error(num, np.asarray(grad, dtype=np.float64))
                if not err <= tol:
                    failures.append(Failure(case.kind, "gradcheck", f"{test.function}: the gradient check of {name} "
                                            f"failed on {case.kind}: relative error {err:.1e} (should be < {tol:g})"))
    return failures


def _merged(failures: list[Failure]) -> list[str]:
    """One line per failure, except that the same problem on several kinds of input is one line.

    >>> _merged([Failure("a", "exception", "f raised E on a"), Failure("b", "exception", "f raised E on b"),
    ...          Failure("c", "values", "f is wrong on c: 1 of 1 values differ")])
    ['f raised E on a (and on 1 more kind of input)', 'f is wrong on c: 1 of 1 values differ']
    """
    lines, groups = [], {}
    for f in failures:
        key = (f.reason, f.message.replace(f" on {f.kind}", " on *")) if f.kind and f.reason != "values" else None
        if key is not None and key in groups:
            groups[key][1] += 1
            continue
        if key is not None:
            groups[key] = [len(lines), 0]
        lines.append(f.message)
    for i, extra in groups.values():
        if extra:
            lines[i] += f" (and on {extra} more kind{'s' if extra > 1 else ''} of input)"
    return lines


def run(assignment_id: str, grade_id: str, func, *, hidden: bool = False) -> None:
    """Run the visible (or hidden) cases of one test cell against ``func``; raise on failure."""
    __tracebackhide__ = True
    test = _spec.get_test(assignment_id, grade_id)
    if not callable(func):
        raise AssertionError(f"{test.function} is not a function (got {type(func).__name__})")  # noqa: TRY004 -- a failed test
    cases = [c for c in test.cases if not c.random and c.hidden == hidden]
    failures: list[Failure] = []
    hopeless = None  # a function that ran out of memory (or recursion) would only do it again
    for case in cases:
        args, kwargs = case.make(np.random.default_rng(0))
        obs = Observed(error=hopeless) if hopeless else observe(func, args, kwargs)
        if obs.error and obs.error.startswith(("MemoryError", "RecursionError")):
            hopeless = obs.error
        failures += evaluate(test, case, args, kwargs, obs)
    if test.gradcheck and not hidden and not failures:
        failures += _gradient_check(test, cases, func)
    if failures:
        lines = _merged(failures)
        more = f"\n... and {len(lines) - 6} more" if len(lines) > 6 else ""
        raise AssertionError("\n".join(lines[:6]) + more)
    label = "hidden checks" if hidden else "checks"
    print(f"{test.function}: {len(cases)} {label} passed ({', '.join(c.kind for c in cases)})"
          if not hidden else f"{test.function}: {len(cases)} {label} passed")
