"""Who the kernel runs as, and what the grader's processes show to it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grader.grading import identity
from grader.grading.folders import PrivateFolders, can_traverse


def test_a_non_dumpable_process_hides_its_fds_and_memory_from_its_own_uid():
    # The child makes itself non-dumpable, then a sibling of the same uid tries its
    # /proc entries. As root the sibling drops to nobody and the target too, so the
    # check is the same-uid one either way.
    target_code = ("import sys, time\nsys.path.insert(0, sys.argv[1])\n"
                   "from grader.grading.identity import make_undumpable\n"
                   "print(make_undumpable(), flush=True)\ntime.sleep(30)\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    kw = {}
    if os.geteuid() == 0:
        kw = dict(user=65534, group=65534, extra_groups=[])
    try:
        target = subprocess.Popen([sys.executable, "-c", target_code, root], cwd="/",
                                  stdout=subprocess.PIPE, text=True, **kw)
    except PermissionError:
        pytest.skip("nobody cannot run this interpreter")
    try:
        line = target.stdout.readline().strip()
        if not line:
            pytest.skip("nobody cannot run this interpreter")
        assert line == "True"
        probe = ("import os, sys\npid = sys.argv[1]\nout = []\n"
                 "for what in ('fd', 'mem', 'environ'):\n"
                 "    try:\n"
                 "        os.listdir(f'/proc/{pid}/fd') if what == 'fd' else "
                 "open(f'/proc/{pid}/{what}', 'rb').read(1)\n"
                 "        out.append(what + ':open')\n"
                 "    except OSError as err:\n"
                 "        out.append(what + ':' + type(err).__name__)\n"
                 "print(' '.join(out))\n")
        seen = subprocess.run([sys.executable, "-c", probe, str(target.pid)], cwd="/",
                              capture_output=True, text=True, **kw).stdout.split()
        assert seen == ["fd:PermissionError", "mem:PermissionError", "environ:PermissionError"]
    finally:
        target.kill()
        target.wait()
        target.stdout.close()


def test_a_process_that_can_launch_kernels_is_non_dumpable():
    # grader check, the batch's workers and its fork server all import the launcher.
    code = ("import ctypes\nbefore = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)\n"
            "import grader.grading.execute\n"
            "print(before, ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.split() == ["1", "0"], out.stderr


def test_basic_identity_keeps_the_grader_uid_when_not_root(monkeypatch):
    monkeypatch.setattr(identity.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(identity.os, "getuid", lambda: 1000)
    monkeypatch.setattr(identity.os, "getgid", lambda: 1000)
    who = identity.basic_identity()
    assert (who.uid, who.gid, who.note) == (1000, 1000, None)
    assert not who.switches and who.owner is None


def test_a_root_grader_whose_python_nobody_cannot_run_says_so(monkeypatch):
    monkeypatch.setattr(identity.os, "geteuid", lambda: 0)
    monkeypatch.setattr(identity, "unprivileged_problem",
                        lambda *a: "uid 65534 cannot run /root/py: Permission denied")
    who = identity.basic_identity()
    assert who.uid == 0 and "kernel ran as root" in who.note and "/root/py" in who.note


def test_a_root_grader_whose_python_nobody_can_run_switches(monkeypatch):
    monkeypatch.setattr(identity.os, "geteuid", lambda: 0)
    monkeypatch.setattr(identity, "unprivileged_problem", lambda *a: None)
    who = identity.basic_identity()
    assert (who.uid, who.gid, who.note) == (65534, 65534, None)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give folders to nobody")
def test_folders_for_nobody_are_its_own_and_reachable():
    made = PrivateFolders.create("s.ipynb", "{}", owner=(65534, 65534))
    try:
        assert can_traverse(str(made.work), 65534, 65534)
        for path in (made.work, made.tmp, made.runtime, made.work / "s.ipynb"):
            assert os.stat(path).st_uid == 65534
        # The grader's own files stay the grader's: no link swapped in for kernel.log.
        assert os.stat(made.kernel_log).st_uid == 0 == os.stat(made.root).st_uid
        assert oct(os.stat(made.root).st_mode & 0o777) == "0o711"
    finally:
        made.remove()


def test_can_traverse_reads_the_mode_bits(tmp_path):
    closed = tmp_path / "closed"
    closed.mkdir()
    closed.chmod(0o700)
    inner = closed / "inner"
    inner.mkdir()
    owner = os.stat(closed).st_uid
    assert can_traverse(str(inner), owner, os.stat(closed).st_gid)
    assert not can_traverse(str(inner), owner + 12345, 54321)
