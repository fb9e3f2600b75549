"""course_lib: the reference library of the Activation Functions course.

- :mod:`course_lib.activations` -- every activation and its exact derivative, and the registry;
- :mod:`course_lib.gradcheck` -- central-difference gradient checks shared by tests, book and exercises;
- :mod:`course_lib.plotting` -- the one plotting helper every figure of the book comes from.
"""

__version__ = "0.1.0"
