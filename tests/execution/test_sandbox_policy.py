"""The sandbox policy on its own: environment, limits, folders, process groups (no kernel)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest

from grader.errors import UsageError
from grader.grading.sandbox import (Limits, PrivateFolders, get_sandbox, kernel_environment,
                            kill_process_group, live_group_members, rlimits)


@pytest.fixture
def folders():
    made = PrivateFolders.create("../../evil name.ipynb", '{"cells": []}')
    yield made
    made.remove()


def test_folders_hold_only_the_submission(folders):
    assert sorted(os.listdir(folders.work)) == ["evil name.ipynb"]  # no path escapes
    assert oct(folders.root.stat().st_mode & 0o777) == "0o700"
    assert len(str(folders.connection_file)) < 80  # room for IPC socket names


def test_remove_copes_with_read_only_files(folders):
    locked = folders.work / "locked"
    locked.mkdir()
    (locked / "f").write_text("x")
    locked.chmod(0o500)
    folders.remove()
    assert not folders.root.exists()


def test_environment_is_an_allow_list(folders):
    source = {"PATH": "/usr/bin", "GITHUB_TOKEN": "t", "AWS_SECRET_ACCESS_KEY": "s",
              "LANG": "en_US.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/root", "SSH_AUTH_SOCK": "x"}
    env = kernel_environment(folders, source)
    assert not {"GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "SSH_AUTH_SOCK"} & set(env)
    assert env["HOME"] == str(folders.work) and env["TMPDIR"] == str(folders.tmp)
    assert (env["PATH"], env["LANG"], env["LC_ALL"]) == ("/usr/bin", "en_US.UTF-8", "C.UTF-8")
    assert env["IPYTHONDIR"].startswith(str(folders.runtime))
    assert all(isinstance(v, str) for v in env.values())


def test_rlimits_follow_limits_and_never_exceed_hard_limits():
    limits = Limits(memory_bytes=512 << 20, cpu_seconds=None, open_files=100)
    triples = {res: (soft, hard) for res, soft, hard in rlimits(limits, total_timeout=30)}
    assert triples[resource.RLIMIT_AS] == (512 << 20, 512 << 20)
    assert triples[resource.RLIMIT_CPU] == (40, 45)  # the wall limit plus a margin
    assert triples[resource.RLIMIT_CORE] == (0, 0)
    for res, (soft, hard) in triples.items():
        cur_hard = resource.getrlimit(res)[1]
        if cur_hard != resource.RLIM_INFINITY:
            assert hard <= cur_hard and soft <= hard


def test_limits_apply_in_a_child_and_the_group_is_killed(folders):
    preexec = get_sandbox("basic").plan(["x"], folders, Limits(open_files=77), 10).preexec_fn
    child = subprocess.Popen(
        [sys.executable, "-c", "import resource, subprocess, sys, time\n"
         "print(resource.getrlimit(resource.RLIMIT_NOFILE)[0], flush=True)\n"
         "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
         "time.sleep(60)"],
        preexec_fn=preexec, start_new_session=True, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "77"
        assert kill_process_group(child.pid)
        assert live_group_members(child.pid) == []
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def test_unknown_sandbox_is_a_usage_error():
    with pytest.raises(UsageError, match="basic"):
        get_sandbox("docker")
