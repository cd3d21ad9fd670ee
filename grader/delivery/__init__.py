"""Delivery: results out to the people and machines that read them.

``report`` renders one ``GradeResult`` (HTML for students; JSON, JUnit, Gradescope,
GitHub step summary and annotations for machines); ``gradebook`` is a class's table;
``merge`` joins the gradebooks of shards; ``github`` and ``gradescope`` speak those
platforms' formats. Nothing here grades: it reads results and writes files.
"""
