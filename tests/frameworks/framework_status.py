"""Are PyTorch and Keras importable, and must they be?

Imported by this folder's conftest before anything else here, so that ``KERAS_BACKEND`` is
set before keras is first imported.
"""

from __future__ import annotations

import importlib
import os

os.environ["KERAS_BACKEND"] = "torch"

HOW_TO_INSTALL = "`pip install -e '.[frameworks]'` (or `make frameworks`)"


def _missing() -> list[str]:
    """The frameworks that cannot be imported ("torch", or "torch (OSError: ...)" for a broken install)."""
    out = []
    for name in ("torch", "keras"):
        try:
            importlib.import_module(name)
        except ImportError:
            out.append(name)
        except Exception as exc:  # noqa: BLE001 -- a broken install: say why, in one line
            out.append(f"{name} ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})")
    return out


#: the frameworks that cannot be imported here
MISSING = _missing()
#: CI (``CI=true``) and ``COURSE_FRAMEWORKS=1`` turn a missing framework into a failure
REQUIRED = os.environ.get("CI") == "true" or os.environ.get("COURSE_FRAMEWORKS") == "1"
