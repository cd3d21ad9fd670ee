"""Authoring: what an instructor writes, checked and turned into notebooks.

``spec`` loads ``exercises/ID.toml`` into a frozen ``Spec`` (errors name the file, the
key and the fix); ``expr`` parses the spec's function language against a whitelist;
``render`` writes the student and solution notebooks; ``scaffold`` is ``grader new``;
``validate`` proves a spec right by grading its own rendered notebooks (it calls the
grading stage, as an instructor's QA step runs the whole pipeline once).
"""
