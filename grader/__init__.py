"""tapegrader: grade tf.GradientTape exercises against a bundled numpy tape engine.

Kept import-free on purpose: every graded notebook imports ``grader.tape``, which
imports this package first, so anything imported here is paid by every student run.
"""

__version__ = "0.1.0"
