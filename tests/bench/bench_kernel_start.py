"""Where a kernel start's time and CPU go, and what a pre-imported "zygote" would save.

Kernel start is the floor of batch grading. This script measures, on this machine:

1. the heaviest imports of ``python -m ipykernel_launcher`` and of ``grader.tape``
   (``-X importtime``, cumulative microseconds);
2. a kernel started the usual way (a new interpreter per kernel, as
   ``grader/execute.py`` does) against one forked from a zygote process that has
   already imported ipykernel, IPython, numpy and ``grader.tape``: wall time from the
   request to the first answer, and the kernel process's own CPU. Each forked kernel
   is a new process used once, so no state passes between submissions.

The zygote here is a measurement prototype, not the grader's launcher: it has no
sandbox (limits, environment allow-list, private folders). See the batch report for
the hook ``grader/execute.py`` would need to use one.

    python tests/bench/bench_kernel_start.py [--n 10]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

CODE = ("import grader.tape as tf\nx = tf.Variable(3.0)\nwith tf.GradientTape() as t:\n"
        "    y = x * x\ng = t.gradient(y, x)\nprint(float(g))")
KERNEL_ARGS = ["--HistoryManager.enabled=False", "--IPKernelApp.quiet=True"]

ZYGOTE = textwrap.dedent(f"""
    import os, signal, sys
    from ipykernel.kernelapp import IPKernelApp
    import IPython.core.interactiveshell, numpy, grader.tape  # the expensive part, once
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        connection_file, cwd = line.split()
        pid = os.fork()
        if pid == 0:  # a new kernel process: own session, own folder, quiet
            os.setsid()
            os.chdir(cwd)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            IPKernelApp.launch_instance(argv=["-f", connection_file, *{KERNEL_ARGS!r}])
            os._exit(0)
        sys.stdout.write(f"{{pid}}\\n")
        sys.stdout.flush()
""")


def _cpu_of(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _first_answer(kc) -> None:
    kc.start_channels()
    kc.wait_for_ready(timeout=30)
    kc.execute_interactive(CODE, timeout=10, output_hook=lambda msg: None)


def plain(n: int) -> tuple[list[float], list[float]]:
    from jupyter_client.manager import KernelManager

    walls, cpus = [], []
    for _ in range(n):
        started = time.perf_counter()
        km = KernelManager(transport="ipc")
        km.start_kernel(extra_arguments=KERNEL_ARGS)
        kc = km.client()
        _first_answer(kc)
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu_of(km.provisioner.process.pid))
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return walls, cpus


def zygote(n: int) -> tuple[list[float], list[float]]:
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.connect import write_connection_file

    server = subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    time.sleep(2.0)  # its imports, paid once per batch
    walls, cpus = [], []
    try:
        for _ in range(n):
            folder = tempfile.mkdtemp(prefix="zygote-")
            started = time.perf_counter()
            connection_file, _info = write_connection_file(
                os.path.join(folder, "kernel.json"), transport="ipc",
                ip=os.path.join(folder, "socket"))
            server.stdin.write(f"{connection_file} {folder}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            kc = BlockingKernelClient()
            kc.load_connection_file(connection_file)
            _first_answer(kc)
            walls.append(time.perf_counter() - started)
            cpus.append(_cpu_of(pid))
            kc.stop_channels()
            os.killpg(pid, signal.SIGKILL)
    finally:
        server.kill()
        server.wait()
    return walls, cpus


def heaviest_imports(module_args: list[str], top: int = 8) -> list[tuple[int, str]]:
    run = subprocess.run([sys.executable, "-X", "importtime", *module_args],
                         capture_output=True, text=True, timeout=60)
    rows = []
    for line in run.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


def _trimmed_mean(values: list[float]) -> float:
    kept = sorted(values)[1:-1] if len(values) > 3 else values
    return sum(kept) / len(kept)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="kernels started each way")
    args = parser.parse_args()
    for label, module_args in (("ipykernel", ["-c", "import ipykernel.kernelapp"]),
                               ("grader.tape", ["-c", "import grader.tape"])):
        print(f"heaviest imports of {label} (cumulative ms):")
        for micros, name in heaviest_imports(module_args):
            print(f"  {micros / 1000:7.1f}  {name}")
    for name, measure in (("new interpreter", plain), ("forked from a zygote", zygote)):
        walls, cpus = measure(args.n)
        print(f"{name:>22}: {_trimmed_mean(walls):.3f} s to the first answer, "
              f"{_trimmed_mean(cpus):.3f} s kernel CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
