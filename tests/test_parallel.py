"""Work spread over worker processes: in order, errors intact, and only where safe."""

from __future__ import annotations

import os
import pickle
import threading

import pytest

from coder import parallel
from coder.errors import CoderError, InputError
from coder.parallel import map_in_workers, worker_count

needs_fork = pytest.mark.skipif(
    not parallel.can_fork(), reason="worker processes are forked only on Linux"
)


def _pid_and_square(number: int) -> tuple[int, int]:
    return os.getpid(), number * number


def _fail_on_three(number: int) -> int:
    if number == 3:
        raise InputError("three.vtt", "malformed timestamp '00:61:00.000'", 14)
    return number


def _pid_and_shared_call(shared, number: int) -> tuple[int, int]:
    return os.getpid(), shared["square"](number)


# Cannot be pickled: a worker has it only by inheriting it at the fork.
UNPICKLABLE = {"square": lambda number: number * number, "lock": threading.Lock()}


def test_jobs_given_are_used_but_never_more_than_the_tasks():
    assert worker_count(4, tasks=10, size=0) == 4
    assert worker_count(4, tasks=2, size=0) == 2
    assert worker_count(1, tasks=10, size=10**9) == 1


def test_small_work_stays_in_process_and_large_work_uses_every_core(monkeypatch):
    monkeypatch.setattr(parallel, "available_cores", lambda: 8)
    assert worker_count(None, tasks=50, size=parallel.MIN_PARALLEL_BYTES - 1) == 1
    assert worker_count(None, tasks=50, size=parallel.MIN_PARALLEL_BYTES) == 8
    assert worker_count(None, tasks=3, size=10**9) == 3


@needs_fork
def test_results_come_back_in_order_from_other_processes():
    with map_in_workers(_pid_and_square, range(40), jobs=2) as results:
        found = list(results)
    assert [square for _pid, square in found] == [n * n for n in range(40)]
    assert os.getpid() not in {pid for pid, _square in found}


@needs_fork
@needs_fork
def test_results_say_whether_workers_are_still_busy():
    with map_in_workers(_pid_and_square, range(6), jobs=2) as results:
        taken = list(results)
        # Everything taken: nothing is left running.
        assert not results.running()
    assert [square for _pid, square in taken] == [0, 1, 4, 9, 16, 25]


def test_results_worked_out_in_this_process_are_never_running():
    with map_in_workers(_pid_and_square, range(3), jobs=1) as results:
        assert not results.running()
        assert [square for _pid, square in results] == [0, 1, 4]


def test_workers_inherit_what_is_shared_instead_of_receiving_it():
    with pytest.raises((TypeError, pickle.PicklingError)):
        pickle.dumps(UNPICKLABLE)
    with map_in_workers(
        _pid_and_shared_call, range(20), jobs=2, shared=UNPICKLABLE
    ) as results:
        found = list(results)
    assert [square for _pid, square in found] == [n * n for n in range(20)]
    assert os.getpid() not in {pid for pid, _square in found}


def test_what_is_shared_reaches_the_work_done_in_this_process():
    with map_in_workers(
        _pid_and_shared_call, range(5), jobs=1, shared=UNPICKLABLE
    ) as results:
        assert list(results) == [(os.getpid(), n * n) for n in range(5)]


def test_one_job_runs_in_this_process():
    with map_in_workers(_pid_and_square, range(5), jobs=1) as results:
        assert {pid for pid, _square in results} == {os.getpid()}


def test_no_fork_while_another_thread_runs():
    # A thread holding a lock at the fork (a progress bar drawing, say)
    # would leave the child waiting for it forever.
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.can_fork()
        with map_in_workers(_pid_and_square, range(5), jobs=2) as results:
            assert {pid for pid, _square in results} == {os.getpid()}
    finally:
        stop.set()
        thread.join()


def test_an_input_error_survives_the_trip_between_processes():
    error = InputError("three.vtt", "malformed timestamp '00:61:00.000'", 14)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.line, copy.detail, str(copy)) == (
        "three.vtt",
        14,
        "malformed timestamp '00:61:00.000'",
        "three.vtt:14: malformed timestamp '00:61:00.000'",
    )


@needs_fork
def test_an_error_in_a_worker_is_raised_where_its_result_is_taken():
    taken = []
    with (
        pytest.raises(InputError) as caught,
        map_in_workers(_fail_on_three, range(8), jobs=2) as results,
    ):
        taken.extend(results)
    assert taken == [0, 1, 2]
    assert str(caught.value) == "three.vtt:14: malformed timestamp '00:61:00.000'"


def _die_on_two(number: int) -> int:
    if number == 2:
        os._exit(9)  # as if killed for memory
    return number


@needs_fork
def test_a_worker_that_dies_stops_the_work_with_a_clear_error():
    with (
        pytest.raises(CoderError, match="a worker process stopped unexpectedly"),
        map_in_workers(_die_on_two, range(6), jobs=2) as results,
    ):
        list(results)
