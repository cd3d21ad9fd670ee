"""Adversarial cases: escaping the sandbox: other processes, /proc, signals, quotas, privileges.

Each ``Case`` (see ``adversarial_cases``) is one hostile submission and the verdict it
must get; they join the one corpus graded in a batch per sandbox mode.

Most attacks here end by raising ``RuntimeError("HELD: ...")`` when every attempt was
refused and ``RuntimeError("ESCAPED: ...")`` when one worked, so the report's words
("held:") prove the attempt failed, in each run that promises it (``where``). Attempts
that would change something (a sysctl, a signal) are made so that success changes
nothing lasting: files are opened for appending and closed unwritten; signals go only
to grader processes, and only in runs whose promise is that they cannot arrive.
"""

from __future__ import annotations

from adversarial_cases import Case, SOLUTION_ANSWER, TIMEOUT, DIED, _hostile  # noqa: F401

HELD = ("held:",)

# The grader's processes as the kernel can find them: its ancestors that run grader
# code (the batch worker, the fork server, the batch process; never the test runner,
# nor the sandbox's own pid 1 / bwrap, which are no grader).
_GRADERS = r'''
import os, signal
def grader_processes():
    found, pid = [], os.getppid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            break
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        if comm != "bwrap" and b"grader" in cmdline and b"pytest" not in cmdline:
            found.append(pid)
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return found
def verdict(results, none="no grader process is visible from here"):
    escaped = [r for r in results if r.startswith("ESCAPED")]
    raise RuntimeError(("ESCAPED: " if escaped else "HELD: ")
                       + "; ".join(escaped or results or [none]))
'''


def _attack(body: str) -> str:
    return _GRADERS + body


def _once(body: str) -> str:
    """Run ``body`` at the visible point only (the answer cell runs again at each hidden
    point, where the folders it made are already there)."""
    indented = "".join("    " + line + "\n" if line.strip() else "\n"
                       for line in body.strip("\n").splitlines())
    return ("import os\nif not os.path.exists('.made-once'):\n"
            "    open('.made-once', 'w').close()\n" + indented)


_PARENT_FDS = _attack(r'''
results = []
for pid in grader_processes():
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError as err:
        results.append(f"{pid} fd list: {type(err).__name__}")
        continue
    for fd in fds:
        try:
            # The batch's result pipe: a pickle written here would run in the batch.
            with open(f"/proc/{pid}/fd/{fd}", "ab", buffering=0):
                pass
            results.append(f"ESCAPED opened {pid}/fd/{fd} for writing")
        except OSError as err:
            results.append(f"{pid}/fd/{fd}: {type(err).__name__}")
verdict(results)
''')

_PARENT_MEM = _attack(r'''
results = []
for pid in grader_processes():
    try:
        with open(f"/proc/{pid}/maps") as fh:
            start = int(fh.readline().split("-")[0], 16)
        with open(f"/proc/{pid}/mem", "rb") as fh:
            fh.seek(start)
            fh.read(16)
        results.append(f"ESCAPED read the memory of {pid}")
    except (OSError, ValueError) as err:
        results.append(f"{pid} mem: {type(err).__name__}")
verdict(results)
''')

_PARENT_STDOUT = _attack(r'''
results = []
for pid in grader_processes():
    for fd in (1, 2):
        try:
            with open(f"/proc/{pid}/fd/{fd}", "w") as fh:
                fh.write("\nFORGED-BY-KERNEL rows 999\n::error::FORGED-BY-KERNEL\n")
            results.append(f"ESCAPED wrote to {pid}/fd/{fd}")
        except OSError as err:
            results.append(f"{pid}/fd/{fd}: {type(err).__name__}")
verdict(results)
''')

_PARENT_CWD = _attack(r'''
results = []
for pid in grader_processes():
    for what in ("cwd", "root", "environ"):
        try:
            if what == "environ":
                open(f"/proc/{pid}/environ", "rb").read()
            else:
                os.listdir(f"/proc/{pid}/{what}")
            results.append(f"ESCAPED listed {pid}/{what}")
        except OSError as err:
            results.append(f"{pid}/{what}: {type(err).__name__}")
verdict(results)
''')

_PTRACE = _attack(r'''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
results = []
for pid in grader_processes():
    if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
        libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
        results.append(f"ESCAPED attached to {pid}")
    else:
        results.append(f"{pid}: errno {ctypes.get_errno()}")
verdict(results)
''')

_SEMAPHORES = _attack(r'''
results = []
try:
    names = [n for n in os.listdir("/dev/shm")]
except OSError as err:
    names = []
    results.append(f"/dev/shm: {type(err).__name__}")
for name in names:
    path = "/dev/shm/" + name
    try:
        if os.stat(path).st_uid == os.getuid():
            continue  # its own (a kernel's numpy or multiprocessing)
        with open(path, "r+b"):
            pass
        results.append(f"ESCAPED opened {name}")
    except OSError as err:
        results.append(f"{name}: {type(err).__name__}")
verdict(results, none="no semaphore of another user in /dev/shm")
''')

_SIGNAL = _attack(r'''
results = []
for pid in grader_processes():
    try:
        os.kill(pid, signal.@SIGNAL@)
        results.append(f"ESCAPED sent @SIGNAL@ to {pid}")
    except OSError as err:
        results.append(f"{pid}: {type(err).__name__}")
verdict(results)
''')

_KILL_EVERYTHING = r'''
import os, signal
try:
    os.kill(-1, signal.SIGKILL)  # every process this uid may signal: in bwrap, its own
except OSError:
    pass
'''

_SYSCTLS = r'''
results = []
for path in @PATHS@:
    try:
        # Append mode, closed unwritten: if the open works, nothing has changed yet.
        with open(path, "a"):
            pass
        results.append(f"ESCAPED opened {path} for writing")
    except OSError as err:
        results.append(f"{path}: {type(err).__name__}")
raise RuntimeError(("ESCAPED: " if any(r.startswith("ESCAPED") for r in results) else "HELD: ")
                   + "; ".join(results))
'''

_SETUID = r'''
import os, subprocess
results = []
for name, call in [("setuid(0)", lambda: os.setuid(0)), ("setgid(0)", lambda: os.setgid(0)),
                   ("setgroups([0])", lambda: os.setgroups([0])),
                   ("seteuid(0)", lambda: os.seteuid(0))]:
    if os.getuid() == 0:
        results.append("ESCAPED the kernel is root")
        break
    try:
        call()
        results.append(f"ESCAPED {name}")
    except OSError as err:
        results.append(f"{name}: {type(err).__name__}")
for tool in (["su", "-c", "id -u"], ["sudo", "-n", "id", "-u"], ["mount", "-t", "tmpfs", "x", "."]):
    try:
        proc = subprocess.run(tool, capture_output=True, text=True, timeout=3,
                              stdin=subprocess.DEVNULL)
        if proc.returncode == 0 and proc.stdout.strip() in ("0", ""):
            results.append(f"ESCAPED {tool[0]}")
        else:
            results.append(f"{tool[0]}: status {proc.returncode}")
    except (OSError, subprocess.SubprocessError) as err:
        results.append(f"{tool[0]}: {type(err).__name__}")
raise RuntimeError(("ESCAPED: " if any(r.startswith("ESCAPED") for r in results) else "HELD: ")
                   + "; ".join(results))
'''

_WRITE = r'''
import os
folder = @FOLDER@
for i in range(64):  # 64 files of 32 MiB: 2 GiB, each under the file-size limit
    try:
        with open(os.path.join(folder, f"fill{i}"), "wb") as fh:
            # Reserved at once where the filesystem can (as fast as a disk can fill),
            # then one real write: the cap counts blocks, written or reserved.
            try:
                os.posix_fallocate(fh.fileno(), 0, 32 << 20)
            except OSError:
                pass
            fh.write(b"x" * (1 << 20))
    except OSError as err:
        print("write stopped:", err)
        break
import time
time.sleep(30)  # the watchdog stops the kernel long before
grad = 6.0
'''

_MANY_FILES = r'''
import os
os.mkdir("many")
folder = os.open("many", os.O_RDONLY)
for i in range(200_000):
    os.close(os.open(str(i), os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=folder))
import time
time.sleep(30)
grad = 6.0
'''

_DEEP = r'''
import os
fd = os.open(".", os.O_RDONLY)
for _ in range(3000):  # relative to a descriptor: no path is ever 3000 levels long
    os.mkdir("d", dir_fd=fd)
    child = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = child
os.close(fd)
'''

_CLEANUP_LINKS = r'''
import os
# Links for a careless cleanup to follow: to a file outside, to the class folder, and
# inside folders made read-only and unsearchable so a retry would chmod "through" them.
os.symlink("@CANARY@", "canary-link")
os.symlink("@CLASS@", "class-link")
for mode in (0o500, 0o000):
    os.mkdir(f"locked{mode:o}")
    os.symlink("@CANARY@", f"locked{mode:o}/canary-link")
    os.symlink("@CLASS@", f"locked{mode:o}/class-link")
    os.chmod(f"locked{mode:o}", mode)
tmp = os.environ.get("TMPDIR", ".")
os.symlink("@CANARY@", os.path.join(tmp, "canary-link"))
'''

_READ_PACKAGE = r'''
import glob, os
results = []
for pattern in ["@PACKAGE@/_data/solutions/*.py", "@PACKAGE@/_data/exercises/*.toml",
                "@PACKAGE@/grading/*.py", "@PACKAGE@/authoring/*.py", "@PACKAGE@/batch.py"]:
    found = glob.glob(pattern)
    for path in found[:2]:
        try:
            with open(path, "rb") as fh:
                fh.read()
            results.append(f"ESCAPED read {os.path.basename(path)}")
        except OSError as err:
            results.append(f"{os.path.basename(path)}: {type(err).__name__}")
    if not found:
        results.append(f"{os.path.relpath(pattern, '@PACKAGE@')}: not there")
raise RuntimeError(("ESCAPED: " if any(r.startswith("ESCAPED") for r in results) else "HELD: ")
                   + "; ".join(results))
'''

_KERNEL_LOG = r'''
import os
# Swap the grader's kernel.log (its crash-dump tail goes into the report) for a link to
# the reference solution, then die so that the grader reads it.
log = os.path.join(os.path.dirname(os.getcwd()), "kernel.log")
for target in ("@SOLUTION@", "@PACKAGE@/_data/solutions/@EXERCISE@.py"):
    try:
        os.unlink(log)
        os.symlink(target, log)
        break
    except OSError:
        pass
os._exit(3)
'''

_TTY = r'''
import fcntl, os, termios
results = []
for path in ("/dev/tty", "/proc/self/fd/0"):
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as err:
        results.append(f"{path}: {type(err).__name__}")
        continue
    try:
        for ch in b"echo FORGED\n":  # TIOCSTI: type into the grader's terminal
            fcntl.ioctl(fd, termios.TIOCSTI, bytes([ch]))
        results.append(f"ESCAPED typed into {path}")
    except OSError as err:
        results.append(f"{path} TIOCSTI: {type(err).__name__}")
    finally:
        os.close(fd)
raise RuntimeError(("ESCAPED: " if any(r.startswith("ESCAPED") for r in results) else "HELD: ")
                   + "; ".join(results))
'''

_CHMOD = r'''
import os
results = []
for path in ("@CANARY@", "@CLASS@", "@PACKAGE@/__init__.py"):
    try:
        mode = os.stat(path).st_mode & 0o7777
        os.chmod(path, mode)  # the same mode: proves the right without using it
        results.append(f"ESCAPED may chmod {path}")
    except OSError as err:
        results.append(f"{path}: {type(err).__name__}")
raise RuntimeError(("ESCAPED: " if any(r.startswith("ESCAPED") for r in results) else "HELD: ")
                   + "; ".join(results))
'''

_DAEMON = r'''
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.chdir("/")
        os.execve("/bin/sh", ["sh", "-c", "sleep 300; :", "@MARKER@"], {})
    os._exit(0)
time.sleep(0.5)
'''

_CORE = '["/proc/sys/kernel/core_pattern"]'
_OTHER_SYSCTLS = ('["/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches", '
                  '"/proc/sys/kernel/sysrq", "/proc/sys/fs/protected_symlinks", '
                  '"/proc/sys/kernel/modprobe", "/proc/sys/net/ipv4/ip_forward"]')

REVIEW = ("held for review",)

CASES: list[Case] = [
    # Other processes: the batch worker's pipes and memory, the grader's stdout.
    Case("proc_parent_fds", "fail", _PARENT_FDS, words=(HELD,), where="unprivileged"),
    Case("proc_parent_mem", "fail", _PARENT_MEM, words=(HELD,), where="unprivileged"),
    Case("proc_parent_stdout", "fail", _PARENT_STDOUT, words=(HELD,), where="unprivileged"),
    Case("proc_parent_cwd_environ", "fail", _PARENT_CWD, words=(HELD,), where="unprivileged"),
    Case("ptrace_parents", "fail", _PTRACE, words=(HELD,), where="unprivileged"),
    Case("dev_shm_semaphores", "fail", _SEMAPHORES, words=(HELD,), where="isolated"),
    Case("sigkill_grader", "fail", _SIGNAL.replace("@SIGNAL@", "SIGKILL"), words=(HELD,),
         where="isolated"),
    Case("sigstop_grader", "fail", _SIGNAL.replace("@SIGNAL@", "SIGSTOP"), words=(HELD,),
         where="isolated"),
    # kill(-1): every process the uid may signal but itself; in bwrap that is nothing
    # else (its own PID namespace), so it goes on to solve the exercise and its
    # neighbours are graded right. Its os/signal calls are held for review (the
    # integrity scan), so it does not pass the tape check.
    Case("kill_everything", "fail", _hostile(_KILL_EVERYTHING, then_solve=True),
         words=(REVIEW,), where="bwrap"),
    Case("controlling_tty", "fail", _TTY, words=(HELD,)),
    # Privileges and the host's kernel settings.
    Case("core_pattern", "fail", _SYSCTLS.replace("@PATHS@", _CORE), words=(HELD,),
         where="unprivileged"),
    Case("proc_sys_writes", "fail", _SYSCTLS.replace("@PATHS@", _OTHER_SYSCTLS),
         words=(HELD,), where="unprivileged"),
    Case("setuid_tricks", "fail", _SETUID, words=(HELD,), where="unprivileged"),
    Case("chmod_outside", "fail", _CHMOD, words=(HELD,), where="unprivileged"),
    # Quotas: the private folder's size and file count; /tmp; the runtime folder.
    Case("write_2gib", "fail", _WRITE.replace("@FOLDER@", "'.'"),
         words=(("more than 256 mb to disk",),), absent=("crashed",)),
    Case("write_2gib_runtime", "fail",
         _WRITE.replace("@FOLDER@", "os.environ['JUPYTER_RUNTIME_DIR']"),
         words=(("more than 256 mb to disk",),)),
    Case("fill_tmp", "fail", _WRITE.replace("@FOLDER@", "'/tmp'"),
         words=(("more than 256 mb to disk",),), where="bwrap"),
    Case("many_files", "fail", _MANY_FILES, words=(("more than 10000 files",),)),
    # Cleanup: depth, links, locks; the grader's own files in the tree.
    # These solve the exercise after their mischief: graded (values right, nothing left
    # behind or followed), and held for review for their os calls.
    Case("deep_directory", "fail", _hostile(_once(_DEEP), then_solve=True), words=(REVIEW,)),
    Case("cleanup_symlinks", "fail", _hostile(_once(_CLEANUP_LINKS), then_solve=True),
         words=(REVIEW,)),
    Case("kernel_log_link", "fail", _KERNEL_LOG, words=(DIED,)),
    Case("escape_daemon", "fail", _hostile(_once(_DAEMON), then_solve=True), words=(REVIEW,),
         where="bwrap"),
    # What bwrap mounts: the engine and the kernel room, never _data/ or the grader.
    Case("read_package_data", "fail", _READ_PACKAGE, bwrap_words=(HELD,)),
    # Issue 11: a sleeping answer is a timeout, never a crash.
    Case("sleep_in_answer", "fail", "import time\ntime.sleep(30)\n" + SOLUTION_ANSWER,
         words=(TIMEOUT,), absent=("crashed", "killed by", "kernel died"), slow=True),
]
