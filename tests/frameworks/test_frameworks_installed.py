"""Whether this tier runs: one skip (or, in CI, one failure) when a framework is missing."""

import os

import pytest
from framework_status import HOW_TO_INSTALL, MISSING, REQUIRED


def test_frameworks_are_installed():
    if MISSING:
        reason = f"frameworks tier not run: {', '.join(MISSING)} not installed; {HOW_TO_INSTALL}"
        if REQUIRED:
            pytest.fail(reason + " (required because CI=true or COURSE_FRAMEWORKS=1)", pytrace=False)
        pytest.skip(reason)
    import keras
    import torch

    assert torch.__version__.split("+")[0] == "2.13.0", f"the tier is written against torch 2.13.0, found {torch.__version__}"
    assert keras.__version__.split(".")[0] == "3", f"the tier is written against Keras 3, found {keras.__version__}"
    assert keras.backend.backend() == "torch", (
        f"Keras runs on {keras.backend.backend()!r}; KERAS_BACKEND was {os.environ.get('KERAS_BACKEND')!r} "
        "when keras was first imported (the tier needs 'torch')")
