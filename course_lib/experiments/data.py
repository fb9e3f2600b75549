"""The experiments' data: scikit-learn's bundled digits and its moons and circles generators.

Nothing is downloaded. Every split is stratified and seeded; inputs are standardised with the
training set's mean and standard deviation (zero mean, unit variance per feature), the usual
preprocessing, so the only non-zero-centred signals in a network come from its activations.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from sklearn.datasets import load_digits, make_circles, make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

__all__ = ["Dataset", "digits", "moons", "circles", "single_threaded"]


def single_threaded(fn):
    """Run ``fn`` with a single BLAS thread.

    The experiments multiply small matrices, where a second BLAS thread saves nothing and, on a
    busy two-core machine (a book build running notebooks in parallel), makes every product
    several times slower while the threads wait for each other.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Dataset:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def _split(X, y, name, seed, test_size):
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    return Dataset(scaler.transform(X_tr), y_tr, scaler.transform(X_te), y_te, name)


def digits(seed: int = 0, test_size: float = 0.25) -> Dataset:
    """The 1797 8x8 handwritten digits (64 features, 10 classes), split 75/25.

    >>> d = digits()
    >>> d.X_train.shape, d.X_test.shape, d.n_classes
    ((1347, 64), (450, 64), 10)
    """
    X, y = load_digits(return_X_y=True)
    return _split(X.astype(np.float64), y, "digits", seed, test_size)


def moons(n: int = 400, noise: float = 0.2, seed: int = 0, test_size: float = 0.25) -> Dataset:
    """Two interleaving half-moons (2 features, 2 classes): not linearly separable."""
    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return _split(X, y, "moons", seed, test_size)


def circles(n: int = 400, noise: float = 0.1, factor: float = 0.5, seed: int = 0, test_size: float = 0.25) -> Dataset:
    """Two concentric circles (2 features, 2 classes): not linearly separable."""
    X, y = make_circles(n_samples=n, noise=noise, factor=factor, random_state=seed)
    return _split(X, y, "circles", seed, test_size)
