"""Per-file work spread over the machine's cores, results in order.

Importing is CPU-bound (parsing, tokenizing) and files are independent, so
worker processes parse and segment while the main process stores what is
done. Workers are forked: they start in milliseconds and share the spaCy
pipeline already loaded. Forking happens only where it is safe: on Linux,
and from a process with a single thread (a thread holding a lock at the
moment of the fork would leave the child waiting for it forever).
Everywhere else, and for small amounts of work, everything runs in this
process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from typing import TypeVar

from coder.errors import CoderError

Item = TypeVar("Item")
Result = TypeVar("Result")

# Less work than this (in bytes of input) is done in process: starting
# workers and sending results back would cost more than it saves.
MIN_PARALLEL_BYTES = 256 * 1024


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked safely here and now."""
    return (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def worker_count(jobs: int | None, tasks: int, size: int) -> int:
    """How many workers to use: `jobs` if given, else one per core for enough work."""
    if jobs is None:
        jobs = available_cores() if size >= MIN_PARALLEL_BYTES else 1
    return max(1, min(jobs, tasks))


def uses_workers(jobs: int | None, tasks: int, size: int) -> bool:
    """Whether `map_in_workers` with these arguments would start worker processes now."""
    return worker_count(jobs, tasks, size) > 1 and can_fork()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

# What a forked worker inherited from `map_in_workers(..., shared=...)`.
_shared: object = None
_NOTHING = object()


def _start_worker(parent: int, shared: object) -> None:
    """Worker set-up: die with the parent, keep what it shares."""
    global _shared
    _shared = shared
    _die_with_parent(parent)


def _call_with_shared(func: Callable[[object, Item], Result], item: Item) -> Result:
    return func(_shared, item)


def _die_with_parent(parent: int) -> None:
    """Worker set-up: end when the parent ends, however it ends.

    Ctrl-C reaches every process of the group; the main process handles it
    (rolling back and stopping the workers), the workers ignore it. A parent
    killed outright (SIGKILL, the OOM killer) cannot stop its workers, so the
    kernel is asked to kill each worker when its parent dies; a parent that
    died before the request was made is noticed by its changed pid.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent check below remains
        pass
    if os.getppid() != parent:
        os._exit(1)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived while workers ran: stop them and roll back.

    An interruption like Ctrl-C, and handled as one: the transaction rolls
    back and the command ends with "Aborted!".
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, _frame: object) -> None:
    raise Terminated(signum)


@contextmanager
def _terminate_as_exception() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception, so cleanup code runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        signum: signal.signal(signum, _raise_terminated)
        for signum in (signal.SIGTERM, signal.SIGHUP)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Results(Iterator[Result]):
    """The results of `map_in_workers`, in order."""

    def __init__(self, results: Iterator[Result]) -> None:
        self._results = results

    def __next__(self) -> Result:
        return next(self._results)

    def running(self) -> bool:
        """Whether results not yet taken are being worked out meanwhile.

        In this process nothing is: each result is worked out when taken.
        """
        return False


class _FromWorkers(Results[Result]):
    """The results of futures, in their order."""

    def __init__(self, futures: list[Future[Result]]) -> None:
        self._futures: list[Future[Result] | None] = list(futures)
        self._next = 0

    def __next__(self) -> Result:
        if self._next == len(self._futures):
            raise StopIteration
        future = self._futures[self._next]
        self._futures[self._next] = None  # the caller holds the result now
        self._next += 1
        assert future is not None
        return future.result()

    def running(self) -> bool:
        # From the last: work is taken up in order, so the last future is
        # the one most likely still running, and one is enough.
        futures = self._futures
        for index in range(len(futures) - 1, self._next - 1, -1):
            future = futures[index]
            if future is not None and not future.done():
                return True
        return False


@contextmanager
def map_in_workers(
    func: Callable[[Item], Result],
    items: Iterable[Item],
    *,
    jobs: int | None = None,
    size: int = 0,
    shared: object = _NOTHING,
) -> Iterator[Results[Result]]:
    """`func` over `items`, in order, in worker processes where that pays.

    Yields an iterator of the results (a `Results`, which also tells
    whether the workers are still busy); leaving the block stops the workers
    and drops work not started, so an error in the caller's loop does not
    leave them running. An error in `func` is raised where its result is
    taken, and so is a worker that dies (killed for memory, say) rather
    than the import waiting for it forever.

    Args:
        func: A module-level function (or a partial of one) of one item.
        items: The work, sent to the workers as it is needed.
        jobs: Worker processes; None for one per core when `size` is large.
        size: The amount of work in bytes, to decide whether workers pay.
        shared: When given, `func` is called as ``func(shared, item)``. The
            workers inherit it when they are forked instead of receiving it
            with every item, so a large object costs nothing to send; the
            items can then be small (indexes into it, say).
    """
    items = list(items)
    workers = worker_count(jobs, len(items), size)
    if not uses_workers(jobs, len(items), size):
        yield Results(map(func if shared is _NOTHING else partial(func, shared), items))
        return
    if shared is not _NOTHING:
        func = partial(_call_with_shared, func)
    with _terminate_as_exception():
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            # Passed to the forked process in memory, not pickled.
            initializer=_start_worker,
            initargs=(os.getpid(), None if shared is _NOTHING else shared),
        )
        try:
            yield _FromWorkers([pool.submit(func, item) for item in items])
        except BrokenProcessPool as exc:
            raise CoderError(
                "a worker process stopped unexpectedly (out of memory?); nothing was "
                "stored; try again with --jobs 1"
            ) from exc
        finally:
            # Work not started is dropped; a file being parsed is finished
            # (killing a worker mid-result can leave the executor waiting
            # forever for the rest of a message).
            pool.shutdown(wait=True, cancel_futures=True)
