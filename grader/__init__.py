"""tapegrader: grade tf.GradientTape exercises against a bundled numpy tape engine.

Data flows one way through the rooms of this package, and imports point the same way::

    exercises/ID.toml ─► authoring ─► student / solution notebooks (.ipynb)
    submission.ipynb  ─► grading   ─► GradeResult (results.py) ─► delivery ─► reports

* ``authoring/``: what an instructor writes. ``spec`` loads a TOML spec into a frozen
  ``Spec``, ``expr`` is its function language, ``render`` writes the notebooks,
  ``scaffold`` is ``grader new``, ``validate`` proves a spec right.
* ``kinds/``: what each kind of exercise means (gradient, higher-order, jacobian,
  batch-jacobian, training), one module per kind: its spec keys, references, checks
  and hints, notebook wording, scaffold. Every other room asks this registry.
* ``grading/``: one submission in, one ``GradeResult`` out. ``grade`` runs the
  pipeline: ``notebook`` reads the file safely, ``sandbox`` + ``execute`` run it in a
  confined kernel at the visible point and the hidden ones (``points``), ``extract``
  brings the answers and their tape evidence out as JSON, ``reference`` computes the
  right answers here, ``check`` judges, with ``tape_check`` deciding whether the tape
  differentiated the exercise's function and ``integrity`` scanning the notebook's
  source for ways behind the engine.
* ``kernel/``: the only grader code that runs inside the student's kernel (with
  ``tape/``, the only part a sandbox mounts): ``python -m grader.kernel`` binds the tape
  evidence and the extraction before any cell runs. It reports; it never judges.
* ``tape/``: the engine students import as ``tf``; it imports nothing else of ``grader``.
* ``results.py``: the plain data (``Observed``, ``Run``, ``CheckResult``, ``GradeResult``,
  ``Status``, ``RunEnd``, ``TapeEvidence``) passed between the rooms, JSON-safe so nothing from a kernel is trusted.
* ``delivery/``: results out: HTML, JSON, JUnit, Gradescope, GitHub, gradebooks.
* Schedulers around ``grade``: ``batch/`` (a class: discovery, shards, resume, a pool
  with kernels started ahead, the gradebook) and ``serve/`` (``grader serve``: the
  exercises in a browser, every attempt kept in SQLite); ``inline.py`` is the
  notebook's own check cell (the same judging code as ``grader check``); ``cli.py`` only
  parses arguments.

Kept import-free on purpose: every graded notebook imports ``grader.tape``, which
imports this package first, so anything imported here is paid by every student run.
"""

__version__ = "0.1.0"
