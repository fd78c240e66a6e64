"""Checks of a built bundle: its self-test against a sandbox started from the source tree, and its
start-up time to first paint compared with the source tree's, measured in the same run."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

# The build fails when one is missed; the packaging tests check the same numbers.
TARBALL_BUDGET_MB = 62.0
STARTUP_BUDGET_RATIO = 1.5
MB = 1_000_000
FIRST_PAINT_MARKER = "verifydesk-first-paint"  # app/ui/first_paint.py prints these
BUILT_MARKER = "verifydesk-window-built"
_LEAKY_VARS = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "QT_PLUGIN_PATH")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child: no Python path leaks into the bundle, offscreen Qt, no AWS config."""
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY_VARS}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    env.update(extra)
    return env


class LineReader:
    """The lines a child writes to a pipe, read by a thread (select() does not work on Windows pipes)."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                self._queue.put(line)
        except (OSError, ValueError):
            pass  # the pipe was closed under us: the child is being stopped
        finally:
            self._queue.put(None)

    def next(self, timeout_s: float) -> str | None:
        """The next line within the timeout; None on timeout or when the stream ended."""
        try:
            return self._queue.get(timeout=max(timeout_s, 0.0))
        except queue.Empty:
            return None


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def source_sandbox(root: Path, log: Path, python: str = sys.executable) -> Iterator[dict[str, Any]]:
    """`python -m app sandbox` from the source tree; yields its JSON line as a dict."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as err:
        proc = subprocess.Popen(
            [python, "-m", "app", "sandbox", "--port", "0"], cwd=root, env=clean_env(),
            stdout=subprocess.PIPE, stderr=err, text=True,
        )
        try:
            assert proc.stdout is not None
            line = LineReader(proc.stdout).next(60)
            if not line:
                raise RuntimeError(f"the source sandbox printed no JSON line (see {log})")
            yield json.loads(line)
        finally:
            _stop(proc)


@dataclass(frozen=True)
class SelfTestRun:
    command: list[str]
    returncode: int
    output: str


def run_self_test(command: Sequence[str], endpoint_url: str | None, cwd: Path) -> SelfTestRun:
    """Run `command` (the bundle's `verifydesk self-test`) with a throw-away home."""
    with tempfile.TemporaryDirectory(prefix="verifydesk-build-home-") as home:
        env = clean_env(VERIFYDESK_HOME=home)
        env.pop("VERIFYDESK_SELFTEST_ENDPOINT_URL", None)
        if endpoint_url:
            env["VERIFYDESK_SELFTEST_ENDPOINT_URL"] = endpoint_url
        result = subprocess.run(
            list(command), cwd=cwd, env=env, check=False, capture_output=True, text=True, timeout=300
        )
    return SelfTestRun(list(command), result.returncode, result.stdout + result.stderr)


@dataclass(frozen=True)
class StartupSample:
    first_paint_s: float  # spawn to the main window's first paint
    built_s: float | None  # spawn to its first paint with every panel built, when the app reports it


def measure_startup(command: Sequence[str], cwd: Path, timeout_s: float = 60) -> StartupSample:
    """Spawn `command` with $VERIFYDESK_MEASURE_STARTUP and time its paint markers (one clock: the
    wall). The app quits after its last marker."""
    with tempfile.TemporaryDirectory(prefix="verifydesk-startup-home-") as home:
        env = clean_env(VERIFYDESK_HOME=home, VERIFYDESK_MEASURE_STARTUP="1")
        started = time.time()
        proc = subprocess.Popen(
            list(command), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            assert proc.stdout is not None
            lines = LineReader(proc.stdout)
            first: float | None = None
            deadline = time.monotonic() + timeout_s
            while (left := deadline - time.monotonic()) > 0:
                line = lines.next(left)
                if line is None:
                    break
                if line.startswith(FIRST_PAINT_MARKER):
                    first = float(line.split()[1]) - started
                elif line.startswith(BUILT_MARKER):
                    built = float(line.split()[1]) - started
                    return StartupSample(built if first is None else first, built)
            if first is not None:
                return StartupSample(first, None)
            raise RuntimeError(
                f"{' '.join(command)} never reported a first paint "
                f"(does app.ui.launch call app.ui.first_paint.arm?)"
            )
        finally:
            _stop(proc)


def time_to_first_paint(command: Sequence[str], cwd: Path, timeout_s: float = 60) -> float:
    """Seconds from spawning `command` to its main window's first paint."""
    return measure_startup(command, cwd, timeout_s).first_paint_s


@dataclass(frozen=True)
class StartupComparison:
    source: list[StartupSample]
    bundle: list[StartupSample]

    @property
    def source_s(self) -> list[float]:
        return [s.first_paint_s for s in self.source]

    @property
    def bundle_s(self) -> list[float]:
        return [s.first_paint_s for s in self.bundle]

    @property
    def source_median(self) -> float:
        return statistics.median(self.source_s)

    @property
    def bundle_median(self) -> float:
        return statistics.median(self.bundle_s)

    @property
    def median_ratio(self) -> float:
        return self.bundle_median / self.source_median

    @property
    def ratio(self) -> float:
        """Best run against best run: other processes on the machine only ever add time, so the
        fastest of N alternating runs is the steadiest estimate of each side's own start-up."""
        return min(self.bundle_s) / min(self.source_s)

    @property
    def built(self) -> tuple[float, float] | None:
        """Best spawn-to-fully-built-window times (source, bundle), when both sides report them."""
        source = [s.built_s for s in self.source if s.built_s is not None]
        bundle = [s.built_s for s in self.bundle if s.built_s is not None]
        if len(source) != len(self.source) or len(bundle) != len(self.bundle):
            return None
        return min(source), min(bundle)


def compare_startup(
    source_cmd: Sequence[str], bundle_cmd: Sequence[str], cwd: Path, runs: int = 5
) -> StartupComparison:
    """Alternate source and bundle runs (after one warm-up each) so machine load hits both alike."""
    measure_startup(source_cmd, cwd)
    measure_startup(bundle_cmd, cwd)
    source, bundle = [], []
    for _ in range(runs):
        source.append(measure_startup(source_cmd, cwd))
        bundle.append(measure_startup(bundle_cmd, cwd))
    return StartupComparison(source, bundle)


_FINGERPRINT_INPUTS = ("app", "packaging", "resources", "LICENSE", "pyproject.toml")


def source_fingerprint(root: Path) -> str:
    """A hash of everything a build is made from: our sources, the recipe, the installed
    distributions (name and version) and the interpreter. Equal fingerprints, same bundle inputs."""
    from importlib import metadata

    digest = hashlib.sha256(sys.version.encode())
    files: list[Path] = []
    for name in _FINGERPRINT_INPUTS:
        path = root / name
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for path in sorted(p for p in files if "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    # Installed distributions from site-packages only: sys.path varies (cwd, pytest's rootdir).
    site = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    dists = sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions(path=site)})
    digest.update("\n".join(dists).encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """One build at a time per checkout (they share build/ and dist/); waits for a running one.
    POSIX only: on Windows CI runs one build per machine."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    build_dir.mkdir(parents=True, exist_ok=True)
    with (build_dir / ".build.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another build of this checkout to finish…", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
