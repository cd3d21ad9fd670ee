"""What a bwrap kernel sees, checked from inside a real sandbox (no kernel needed).

The package is laid out as a wheel installs it (``_data/solutions`` and
``_data/exercises`` inside ``grader/``, as the workflows and the Gradescope bundle
have it): only ``grader/__init__.py``, ``grader/tape/`` and ``grader/kernel/`` may be
visible.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading import sandbox

pytestmark = pytest.mark.skipif(sandbox.bwrap_problem() is not None,
                                reason=f"bwrap cannot run here: {sandbox.bwrap_problem()}")

_INSIDE = r"""
import json, os, sys
pkg = sys.argv[1]
out = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups()}
out["package"] = sorted(os.listdir(pkg))
for name in ("_data/solutions/secret_solution.py", "_data/exercises/secret.toml",
             "grading/check.py", "authoring/spec.py"):
    out[name] = os.path.exists(os.path.join(pkg, name))
import grader.tape as tf
out["engine"] = hasattr(tf, "GradientTape")
writes = {}
for path in ("/proc/sys/kernel/core_pattern", "/proc/sys/kernel/hostname",
             "/proc/sys/vm/drop_caches", os.path.join(pkg, "tape", "__init__.py")):
    try:
        open(path, "a").close()
        writes[path] = "WRITABLE"
    except OSError as err:
        writes[path] = type(err).__name__
out["writes"] = writes
st = os.statvfs(".")
out["work_bytes"] = st.f_blocks * st.f_frsize
out["cwd"] = sorted(os.listdir("."))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory) -> Path:
    import grader

    site = tmp_path_factory.mktemp("site-packages")
    shutil.copytree(os.path.dirname(grader.__file__), site / "grader",
                    ignore=shutil.ignore_patterns("__pycache__"))
    data = site / "grader" / "_data"
    (data / "solutions").mkdir(parents=True)
    (data / "exercises").mkdir()
    (data / "solutions" / "secret_solution.py").write_text("grad = 'SOLUTION'\n")
    (data / "exercises" / "secret.toml").write_text("id = 'secret'\n")
    for path in [site, *site.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return site


def test_a_wheel_install_shows_the_kernel_only_the_engine_and_kernel_room(wheel_site):
    launcher = r"""
import json, os, subprocess, sys
from grader.grading import sandbox
who = sandbox.bwrap_identity()
folders = sandbox.PrivateFolders.create("s.ipynb", "{}", owner=who.owner)
fd = os.open(folders.work / "s.ipynb", os.O_RDONLY)
try:
    argv = sandbox.bwrap_argv("bwrap", folders, identity=who, limits=sandbox.Limits(
        disk_bytes=64 << 20), submission_fd=fd)
    pkg = os.path.dirname(sandbox.__file__).rsplit(os.sep, 1)[0]
    proc = subprocess.run(argv + [sys.executable, "-c", sys.argv[1], pkg], pass_fds=(fd,),
                          env=sandbox.kernel_environment(folders), capture_output=True,
                          text=True)
    print(proc.stdout or proc.stderr)
finally:
    os.close(fd)
    folders.remove()
"""
    env = dict(os.environ, PYTHONPATH=str(wheel_site))
    proc = subprocess.run([sys.executable, "-c", launcher, _INSIDE], env=env, cwd="/",
                          capture_output=True, text=True, timeout=60)
    seen = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}
    assert seen, proc.stdout + proc.stderr
    assert seen["package"] == ["__init__.py", "kernel", "tape"]
    assert not any(seen[k] for k in ("_data/solutions/secret_solution.py",
                                     "_data/exercises/secret.toml", "grading/check.py",
                                     "authoring/spec.py"))
    assert seen["engine"] is True
    assert "WRITABLE" not in seen["writes"].values(), seen["writes"]
    assert seen["work_bytes"] == 64 << 20
    assert seen["cwd"] == ["s.ipynb"]
    if os.geteuid() == 0:  # a root grader's kernel is nobody, for real
        assert (seen["uid"], seen["gid"], seen["groups"]) == (65534, 65534, [])
    else:
        assert seen["uid"] == os.getuid()


def test_a_root_grader_makes_no_user_namespace_and_drops_with_setpriv(monkeypatch):
    folders = sandbox.PrivateFolders.create("s.ipynb", "{}")
    try:
        monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
        as_root = sandbox.bwrap_argv("/usr/bin/bwrap", folders,
                                     identity=sandbox.KernelIdentity(65534, 65534),
                                     limits=sandbox.Limits())
        monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
        as_user = sandbox.bwrap_argv("/usr/bin/bwrap", folders,
                                     identity=sandbox.KernelIdentity(1000, 1000),
                                     limits=sandbox.Limits())
    finally:
        folders.remove()
    # bwrap --unshare-user --uid 65534 as real root maps 65534 to uid 0 outside.
    assert "--unshare-all" not in as_root and "--unshare-user" not in as_root
    tail = as_root[as_root.index("--") + 1:]
    assert tail[0].endswith("setpriv") and "--reuid=65534" in tail and "--clear-groups" in tail
    assert "--unshare-all" in as_user and as_user[-1] == "--"
    size = str(sandbox.Limits().disk_bytes)
    for argv in (as_root, as_user):
        assert [argv[i + 1] for i, a in enumerate(argv) if a == "--size"] == [size] * 3
