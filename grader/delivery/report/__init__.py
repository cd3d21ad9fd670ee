"""Reports of a grading: HTML for the student; JSON, JUnit, Gradescope and CI for machines.

One module per audience: ``page`` (HTML, with ``plot`` for the tangent picture),
``machine`` (JSON, JUnit XML, Gradescope), ``github`` (job summary, annotations),
``terminal`` (what ``grader check`` prints), ``files`` (atomic writes). All of them
read a ``GradeResult`` and clean every string a notebook controls (``text``).
"""

from __future__ import annotations

from grader.delivery.report.files import write_reports
from grader.delivery.report.github import github_annotations, step_summary_markdown
from grader.delivery.report.machine import gradescope_json, json_report, junit_xml
from grader.delivery.report.page import render_html, render_inline
from grader.delivery.report.terminal import inline_text, terminal_summary

__all__ = ["render_html", "render_inline", "write_reports", "junit_xml", "gradescope_json", "json_report",
           "step_summary_markdown", "github_annotations", "terminal_summary"]
