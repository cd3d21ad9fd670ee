"""Grading: one submission in, one ``GradeResult`` out.

``grade`` is the pipeline as one function: read the notebook, start a sandboxed kernel
(``sandbox`` decides what it may see and use, ``execute`` drives it through nbclient),
bring the answers out as plain JSON (``extract``), compute references in the grader
(``reference``, at the visible point and the hidden ones of ``points``) and judge
(``check``). Nothing the kernel says is trusted beyond the values it reports; the
references never enter it.
"""
