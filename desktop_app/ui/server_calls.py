"""One way for a screen to ask the server something as the signed-in person: the rights check and the laptop's
credentials are read on the database thread, the signed request runs on the network pool, and the connection is
closed however the request ends. The devices and deletion-alarm screens both go through it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _closing(connection: Any, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    finally:
        connection.close()


def with_server_connection(*, controller: Any, tasks: Any, open_connection: Callable[[Any], tuple[Any, str]],
                           work: Callable[[Any, str], Any], done: Callable, failed: Callable, name: str) -> None:
    """`open_connection(vault)` on the database thread, then `work(connection, name)` on the network pool; the
    result goes to `done`, any failure of either step to `failed`."""
    task = controller.run_with_vault(lambda vault, state: open_connection(vault), name=f"db:{name}")

    def opened(found: tuple[Any, str]) -> None:
        connection, person = found
        net = tasks.run_network(lambda state: _closing(connection, lambda: work(connection, person)),
                                name=f"net:{name}")
        net.succeeded.connect(done)
        net.failed.connect(failed)

    task.succeeded.connect(opened)
    task.failed.connect(failed)
