"""``python -m grader.kernel -f CONNECTION_FILE [ipykernel options]``: a graded kernel."""

import sys

from grader.kernel.bootstrap import launch

launch(sys.argv[1:])
