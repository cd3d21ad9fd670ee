"""Removing a private folder the kernel has booby-trapped: links, locks, depth, numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading.folders import PrivateFolders, remove_tree


@pytest.fixture
def folders():
    made = PrivateFolders.create("s.ipynb", "{}")
    yield made
    made.remove()


def _deep(top: str, levels: int) -> None:
    """A chain of ``levels`` directories made through descriptors (no long paths)."""
    fd = os.open(top, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("d", dir_fd=fd)
        child = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = child
    with open(os.open("leaf", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "w") as fh:
        fh.write("x")
    os.close(fd)


def test_a_3000_level_tree_is_removed(folders):
    _deep(str(folders.work), 3000)
    assert sys.getrecursionlimit() < 3000 * 2  # shutil.rmtree would need the stack
    assert folders.remove() is True
    assert not folders.root.exists()


def test_links_are_never_followed(folders, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("keep")
    victim.chmod(0o444)
    outside.chmod(0o555)
    os.symlink(victim, folders.work / "file-link")
    os.symlink(outside, folders.work / "dir-link")
    locked = folders.tmp / "locked"
    locked.mkdir()
    os.symlink(outside, locked / "inner-link")
    locked.chmod(0)
    try:
        assert folders.remove() is True
        assert victim.read_text() == "keep"
        assert oct(victim.stat().st_mode & 0o777) == "0o444"
        assert oct(outside.stat().st_mode & 0o777) == "0o555"
    finally:
        outside.chmod(0o755)


def test_read_only_and_unsearchable_folders_are_removed(folders):
    for mode in (0o500, 0o100, 0):
        sub = folders.work / f"m{mode:o}"
        sub.mkdir()
        (sub / "f").write_text("x")
        sub.chmod(mode)
    assert folders.remove() is True


def test_a_link_as_the_root_is_unlinked_not_followed(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep").write_text("x")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert remove_tree(link) is True
    assert (target / "keep").exists() and not link.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the cleanup as nobody")
def test_as_an_ordinary_user_no_link_is_chmodded():
    # The old cleanup's retry chmod()ed through a student's link when it ran as an
    # ordinary user (root never needed the retry). Run the cleanup as nobody.
    import tempfile

    from grader.grading.folders import base_folder

    where = base_folder(65534, 65534)
    if where is None:
        pytest.skip("no folder nobody can reach")
    base = Path(tempfile.mkdtemp(dir=where))
    os.chown(base, 65534, 65534)
    victim = base / "victim"
    victim.write_text("x")
    os.chown(victim, 65534, 65534)
    victim.chmod(0o400)
    code = f"""
import os, sys
sys.path.insert(0, {os.path.dirname(os.path.dirname(os.path.dirname(__file__)))!r})
from grader.grading.folders import remove_tree
root = {str(base / "tree")!r}
os.mkdir(root)
os.mkdir(root + "/ro")
os.symlink({str(victim)!r}, root + "/ro/link")
os.chmod(root + "/ro", 0o500)
print(remove_tree(root), oct(os.stat({str(victim)!r}).st_mode & 0o777))
"""
    try:
        try:
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 user=65534, group=65534, extra_groups=[], cwd="/")
        except PermissionError:
            pytest.skip("nobody cannot run this interpreter (README: a readable Python)")
        assert out.stdout.split() == ["True", "0o400"], out.stderr
    finally:
        remove_tree(base)
