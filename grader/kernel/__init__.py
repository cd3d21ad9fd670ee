"""The kernel room: the only grader code that runs inside a student's kernel.

Besides the engine (``grader.tape``), this folder is all of ``grader`` a sandbox
mounts. It holds the bootstrap that runs before any student code and the extraction
the grader calls after it. Nothing here judges: it reports what the kernel holds, as
plain JSON, and the grader decides.
"""
