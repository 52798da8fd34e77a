"""Where the student's code runs: a child process per checked function, with a time limit.

A student's code can loop for ever, call ``sys.exit`` or ``os._exit``, crash the interpreter
(a segmentation fault from ctypes or a broken extension), replace ``np.maximum`` or change
numpy's error handling for everybody.  None of that may hang the checker, end it, or leak into
the caller (a notebook that calls ``check.run``).  So:

* :func:`isolated` forks (POSIX): ``job()`` runs in the child, whose answer comes back through a
  pipe; what happened to a child that gave no answer (the time limit, the exit status, the signal)
  is returned as a :class:`Stopped`, with the call it was running at the time.
* :func:`student_code` wraps every call of the student's code inside the child: it announces the
  call to the parent, runs it under the remaining time budget (``SIGALRM``, which raises
  :class:`TimeLimit` inside the student's code), swallows prints and warnings, and afterwards
  puts numpy back as it was: its module functions (and those of ``numpy.random``,
  ``numpy.linalg``, ``math`` and ``builtins``), its error handling and print options (each change
  recorded in :data:`SIDE_EFFECTS`, for the report), and its global random state (silently: the
  assignment's own ``dropout_forward`` seeds it by design).

Without ``os.fork`` (Windows) the checks run in the caller's process, guarded the same way but
without a time limit; :func:`can_isolate` says which.
"""
from __future__ import annotations

import contextlib
import io
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import time
import warnings
from typing import Callable, List, NamedTuple, Optional, Tuple

import numpy as np
import numpy.linalg  # noqa: F401  (numpy 2 imports these on first use: once here, not in every child)
import numpy.random  # noqa: F401

from ..exercises._base import _where

__all__ = ["TIME_LIMIT", "TimeLimit", "Stopped", "isolated", "student_code", "can_isolate", "SIDE_EFFECTS"]

TIME_LIMIT = 10.0
"""Seconds of the student's own code allowed per checked function (in all its calls together)."""

GRACE = 5.0
"""Seconds a child may stay silent beyond the time limit before it is killed (code that the
time limit cannot interrupt: compiled code, or a loop that catches every exception)."""

_WATCHED = ("numpy", "numpy.random", "numpy.linalg", "math", "builtins")
_SHORT = {"numpy": "np", "numpy.random": "np.random", "numpy.linalg": "np.linalg", "math": "math",
          "builtins": "builtins"}

SIDE_EFFECTS: List[tuple] = []
"""``(what, advice, by)`` for every change to numpy or builtins that the student's code made (``by``:
the name of the function called; in the order seen, repeats included); reset before each check."""


class TimeLimit(BaseException):
    """Raised inside the student's code when its time budget is spent (a BaseException, so that
    ``except Exception`` in the student's code does not swallow it)."""


class Stopped(NamedTuple):
    """A child that gave no answer: ``what`` is 'time limit', 'exit' or 'signal', ``text`` says what
    happened, ``running`` the call it was running ('' if none had started), ``where`` the line of the
    student's code it was at (when known), ``advice`` what to do (or '')."""

    what: str
    text: str
    running: str
    where: str = ""
    advice: str = ""

    def sentence(self) -> str:
        """'your code did not return within 10 s (an endless loop?) while running your relu_forward, in
        the setting ... (in relu_forward, line 3: `while True:`)'."""
        return (f"your code {self.text}" + (f" while running {self.running}" if self.running else "") + self.where
                + (f": {self.advice}" if self.advice else ""))


class _State:
    channel: Optional[int] = None      # the pipe to the parent, in a child
    board: Optional[mmap.mmap] = None  # shared with the parent: the call running and when it started
    budget: Optional[float] = None     # seconds left for the student's code, in a child
    armed: bool = False


_BOARD = 1 << 14   # bytes: an 8-byte start time, a 4-byte length, the text


_STATE = _State()


def can_isolate() -> bool:
    """True where checks run in child processes (POSIX, with ``os.fork``)."""
    return hasattr(os, "fork") and hasattr(signal, "setitimer")


def _send(message) -> None:
    """The child's answer, through the pipe."""
    fd = _STATE.channel
    if fd is None:
        return
    data = pickle.dumps(message)
    data = struct.pack("<I", len(data)) + data
    while data:
        data = data[os.write(fd, data):]


def _announce(running: str) -> None:
    """Write the call about to run on the board the parent reads (no message: the parent is not woken)."""
    board = _STATE.board
    if board is None:
        return
    text = running.encode("utf-8", "replace")[:_BOARD - 12]
    struct.pack_into("<I", board, 8, len(text))
    board[12:12 + len(text)] = text
    struct.pack_into("<d", board, 0, time.monotonic())


def _read_board(board) -> Tuple[float, str]:
    started = struct.unpack_from("<d", board, 0)[0]
    size = struct.unpack_from("<I", board, 8)[0]
    return started, bytes(board[12:12 + size]).decode("utf-8", "replace")


def _alarm(signum, frame):
    raise TimeLimit()


@contextlib.contextmanager
def _budget():
    """Arm the time limit for one call of the student's code (in a child only)."""
    if _STATE.budget is None or _STATE.armed:
        yield
        return
    if _STATE.budget <= 0:
        raise TimeLimit()
    start = time.monotonic()
    _STATE.armed = True
    signal.setitimer(signal.ITIMER_REAL, _STATE.budget, 0.25)   # then every 0.25 s until disarmed
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _STATE.armed = False
        _STATE.budget -= time.monotonic() - start


class _Snapshot:
    """numpy's (and builtins') state before a call, to put back and compare afterwards."""

    def __init__(self):
        self.modules = [(name, sys.modules[name]) for name in _WATCHED if name in sys.modules]
        self.saved = {name: dict(vars(module)) for name, module in self.modules}
        self.printoptions = np.get_printoptions()
        self.random = np.random.get_state()

    def restore(self) -> List[tuple]:
        """Put everything back; ``(what, advice)`` for each change found (the random state is put
        back without a word)."""
        changes = []
        for name, module in self.modules:
            now, before = vars(module), self.saved[name]
            for key, value in before.items():
                if key.startswith("__"):
                    continue
                if key not in now or now[key] is not value:
                    changes.append((f"replaced {_SHORT[name]}.{key}",
                                    f"give your own function its own name instead of assigning to "
                                    f"{_SHORT[name]}.{key}"))
                    setattr(module, key, value)
        if np.get_printoptions() != self.printoptions:
            changes.append(("changed numpy's print options (np.set_printoptions)",
                            "use `with np.printoptions(...):` around the printing that needs them"))
            np.set_printoptions(**self.printoptions)
        np.random.set_state(self.random)
        return changes


@contextlib.contextmanager
def student_code(running: str = "", by: str = ""):
    """Run a stretch of the student's code (``by``: the function called): announce ``running`` to the
    parent, arm the time limit, swallow prints and warnings, and put numpy back afterwards (changes go
    to SIDE_EFFECTS)."""
    _announce(running)
    snapshot = _Snapshot()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            inside = np.geterr()
            try:
                with _budget():
                    yield
            finally:
                if np.geterr() != inside:
                    changed = {k: v for k, v in np.geterr().items() if inside.get(k) != v}
                    SIDE_EFFECTS.append((
                        "changed numpy's error handling (np.seterr: "
                        + ", ".join(f"{k}={v!r}" for k, v in changed.items()) + ")",
                        "use `with np.errstate(...):` around the one computation that needs it", by))
    finally:
        SIDE_EFFECTS.extend((what, advice, by) for what, advice in snapshot.restore())


# ------------------------------------------------------------------ the child process
def isolated(job: Callable[[], object], time_limit: float = TIME_LIMIT, grace: Optional[float] = None):
    """Run ``job()`` in a forked child: ``('result', value)``, ``('stopped', Stopped)``, or
    ``('error', text)`` when the job itself raised (a bug of the checker's, not the student's).
    ``grace``: see :data:`GRACE`."""
    grace = GRACE if grace is None else grace
    read, write = os.pipe()
    board = mmap.mmap(-1, _BOARD)
    struct.pack_into("<d", board, 0, time.monotonic())
    with warnings.catch_warnings():
        # Python 3.12+ warns that a process with threads (a Jupyter kernel) forks: the child
        # runs only this thread's code and never touches the kernel's streams.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:   # pragma: no cover - the child (coverage does not follow it)
        try:
            os.close(read)
            _child(job, write, board, time_limit)
        finally:
            os._exit(0)
    os.close(write)
    try:
        return _parent(pid, read, board, time_limit, grace)
    finally:
        board.close()


def _child(job, fd, board, time_limit):   # pragma: no cover - runs in the child
    _STATE.channel, _STATE.board, _STATE.budget = fd, board, float(time_limit)
    devnull = os.open(os.devnull, os.O_RDWR)
    for stream in (0, 1, 2):
        os.dup2(devnull, stream)
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(), io.StringIO(), io.StringIO()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # an interrupt is the parent's to handle
    signal.signal(signal.SIGALRM, _alarm)
    try:
        _send(("result", job()))
    except TimeLimit as err:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _send(("time limit", _where(err)))
    except BaseException as err:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _send(("error", f"{type(err).__name__}: {err}{_where(err)}"))


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:   # pragma: no cover - it had ended already
        pass


def _parent(pid, fd, board, time_limit, grace):
    """Wait for the child's answer; kill it when the call it announced last has run for longer than
    the time limit and the grace (the time limit inside the child did not stop it)."""
    buffer, answer, killed = b"", None, False
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                started, _ = _read_board(board)
                if time.monotonic() - started > time_limit + grace:
                    _kill(pid)
                    killed = True
                    break
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            buffer += chunk
        if len(buffer) >= 4:
            size = struct.unpack("<I", buffer[:4])[0]
            if len(buffer) >= 4 + size:
                answer = pickle.loads(buffer[4:4 + size])
    except BaseException:   # an interrupt of the caller's, say: the child goes too
        _kill(pid)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(fd)
    running = _read_board(board)[1]
    _, status = os.waitpid(pid, 0)
    if answer is not None and answer[0] in ("result", "error"):
        return answer
    limit = f"{time_limit:g} s"
    if answer is not None:   # the time limit, raised inside the student's code
        return "stopped", Stopped("time limit", f"did not return within {limit} (an endless loop?)", running,
                                  answer[1])
    if killed:
        return "stopped", Stopped("time limit", f"did not return within {limit}", running, "",
                                  "the time limit could not interrupt it (it was stuck in compiled code, or in a "
                                  "loop that catches every exception)")
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown signal"
        why = {"SIGSEGV": "a segmentation fault, memory read or written where it must not be (ctypes, or a broken "
                          "compiled extension)",
               "SIGKILL": "killed from outside, perhaps for using too much memory",
               "SIGABRT": "aborted, e.g. by a failed check inside a compiled extension"}.get(name, "")
        return "stopped", Stopped("signal", f"crashed the Python process with signal {number} ({name})", running,
                                  "", why)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    return "stopped", Stopped("exit", f"ended the Python process (exit status {code}) instead of returning", running,
                              "", "os._exit ends the process at once, without the exception that sys.exit raises; "
                                  "a function of the assignment returns its result and never exits")
