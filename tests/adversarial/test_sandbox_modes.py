"""Choosing a sandbox, the bwrap probe, and the basic mode's own defences, without kernels."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.grading import sandbox
from grader.errors import UsageError


def test_auto_falls_back_to_basic_without_bwrap(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda _name: None)
    assert sandbox.get_sandbox("auto").name == "basic"
    assert "not installed" in sandbox.bwrap_problem()
    with pytest.raises(UsageError) as err:
        sandbox.get_sandbox("bwrap")
    assert "bubblewrap" in str(err.value) and err.value.exit_code == 2


def test_a_bwrap_that_fails_its_probe_is_not_used(tmp_path, monkeypatch):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\n"
                    "exit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox.shutil, "which", lambda _name: str(fake))
    problem = sandbox.bwrap_problem()
    assert "status 1" in problem and "namespace" in problem
    assert sandbox.get_sandbox("auto").name == "basic"
    assert sandbox._PROBE[str(fake)] == problem  # probed once per process


def test_unknown_sandbox_is_a_usage_error():
    with pytest.raises(UsageError) as err:
        sandbox.get_sandbox("docker")
    assert "auto, basic, bwrap" in str(err.value)


def test_bwrap_binds_the_kernel_parts_of_the_package_not_the_checkout(tmp_path):
    folders = sandbox.PrivateFolders.create("s.ipynb", "{}")
    try:
        argv = sandbox.bwrap_argv("/usr/bin/bwrap", folders, identity=sandbox.bwrap_identity(),
                                  limits=sandbox.Limits())
    finally:
        folders.remove()
    import grader

    package = os.path.realpath(os.path.dirname(grader.__file__))
    sources = {argv[i + 1] for i, a in enumerate(argv) if a in ("--ro-bind", "--ro-bind-try",
                                                                 "--bind")}
    checkout = os.path.dirname(package)
    assert checkout not in sources and package not in sources
    assert {os.path.join(package, p) for p in ("__init__.py", "tape", "kernel")} <= sources
    assert not [s for s in sources if s.startswith(package + os.sep + "grading")]
    writable = [argv[i + 1] for i, a in enumerate(argv) if a == "--bind"]
    assert writable == [str(folders.runtime)]
    for flag in ("--die-with-parent", "--new-session"):
        assert flag in argv
    assert argv[argv.index("/proc/sys") - 1] == "--ro-bind"
    # The private /tmp is mounted before every bind, or it would hide binds under /tmp
    # (a checkout or venv cloned there, as CI does).
    first_bind = min(i for i, a in enumerate(argv) if a in ("--ro-bind", "--bind"))
    assert argv.index("--tmpfs") < first_bind


def test_secret_values_are_blanked_from_proc_environ():
    code = ("import os\nfrom grader.grading import sandbox\n"
            "n = sandbox.hide_secrets_from_proc()\n"
            # It also made the process non-dumpable, which closes its own 0400 /proc
            # files to a non-root uid: dumpable again, to read what others would see.
            "import ctypes\nctypes.CDLL(None).prctl(4, 1, 0, 0, 0)\n"
            "data = open('/proc/self/environ', 'rb').read()\n"
            "print(n, b'tok-123' in data, b'keep-me' in data, os.environ['GITHUB_TOKEN'])\n")
    env = dict(os.environ, GITHUB_TOKEN="tok-123", MY_API_KEY="tok-123x", PLAIN="keep-me")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) >= 2
    assert out[1:] == ["False", "True", "tok-123"]  # os.environ keeps the value


def test_folders_of_a_killed_grader_are_removed_by_the_next():
    code = ("from grader.grading import sandbox\n"
            "print(sandbox.PrivateFolders.create('a.ipynb', '{}').root)\n")
    left = Path(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               check=True).stdout.strip())
    assert left.is_dir()  # its process exited without removing it
    mine = sandbox.PrivateFolders.create("b.ipynb", "{}")
    try:
        assert not left.exists()
        sandbox.remove_stale_folders(str(mine.root.parent))
        assert mine.root.is_dir()  # a live grader's tree is never touched
    finally:
        mine.remove()


def _own_session(pid: int) -> bool:
    try:
        return os.getsid(pid) == pid
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_kill_sandbox_finds_a_child_that_left_the_group(tmp_path):
    script = ("import os, time\n"
              "if os.fork() == 0:\n"
              "    os.setsid()\n"
              "    time.sleep(60)\n"
              "    os._exit(0)\n"
              "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            tree = sandbox.sandbox_processes(proc.pid, proc.pid)
            # Both there, and the child past its setsid() (a loaded machine may list it
            # between fork and setsid).
            if len(tree) == 2 and _own_session((tree - {proc.pid}).pop()):
                break
            time.sleep(0.05)
        assert len(tree) == 2
        escapee = (tree - {proc.pid}).pop()
        assert os.getsid(escapee) == escapee != proc.pid
        assert sandbox.kill_sandbox(proc.pid, proc.pid)
        proc.wait(timeout=5)
        time.sleep(0.1)
        assert not Path(f"/proc/{escapee}").exists() or \
            Path(f"/proc/{escapee}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)  # reaped here, not left to warn in a later test
