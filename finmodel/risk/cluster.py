"""Running many independent pieces of work — Monte Carlo chunks, sweep points — as Dask tasks.

By default on a local cluster of worker processes (``distributed.LocalCluster``, one per core); on a user's
cluster when a scheduler's address is given (``tcp://host:8786``, or the DASK_SCHEDULER_ADDRESS variable), whose
workers must have finmodel installed; or, with ``workers=0``, in this process. Results come back in the order of
the tasks, whatever order they finish in, so what is built from them does not depend on the workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InputError

CONNECT_TIMEOUT_S = 10
"""How long to wait for a scheduler given by its address before saying it cannot be reached."""


def run_tasks(function: Callable, tasks: Sequence[tuple], *, shared: tuple = (), workers: int | None = None,
              scheduler: str | None = None, progress: Callable[[int, int], None] | None = None) -> tuple[list, int]:
    """``function(*shared, *task)`` for every task; returns the results in task order and the number of Dask
    workers that ran them (0: this process). ``shared`` is sent to every worker once (``Client.scatter``);
    ``progress(done, total)`` is called as tasks finish."""
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address is None and workers == 0:
        results = []
        for done, task in enumerate(tasks, start=1):
            results.append(function(*shared, *task))
            if progress is not None:
                progress(done, len(tasks))
        return results, 0
    return _on_dask(function, tasks, shared, address, workers, progress)


def _on_dask(function, tasks, shared, address, workers, progress) -> tuple[list, int]:
    from distributed import Client, LocalCluster, as_completed  # Dask loads only for work that uses it

    cluster = None
    if address is None:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    try:
        client = Client(cluster if cluster is not None else address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise InputError(f"--scheduler {address}: cannot reach the Dask scheduler there ({type(exc).__name__}: "
                         f"{exc}); check the address and that the scheduler runs, or leave --scheduler and "
                         "DASK_SCHEDULER_ADDRESS out to run on this machine",
                         zh=f"--scheduler {address}：无法连接该地址上的 Dask 调度器（{type(exc).__name__}: {exc}）；"
                         "请检查地址是否正确、调度器是否在运行，或不写 --scheduler 和 DASK_SCHEDULER_ADDRESS，"
                         "在本机运行") from None
    try:
        used = len(client.scheduler_info()["workers"])
        sent: list[Any] = [client.scatter(value, broadcast=True) for value in shared]
        futures = [client.submit(function, *sent, *task, pure=False) for task in tasks]
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress is not None:
                progress(done, len(futures))
        return client.gather(futures), used
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
