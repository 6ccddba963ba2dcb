"""How ``kg measure`` asks servers: at a polite rate per server, naming itself and whoever measures, and
what a failed connection was, said in one word (an :class:`~kg.measure.evidence.Evidence` outcome)."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TypeVar

import httpx

__all__ = ["HostPacer", "as_done", "describe_failure", "user_agent"]


T = TypeVar("T")


async def as_done(items: Iterable, work: Callable[..., Awaitable[T]], limit: int) -> AsyncIterator[T]:
    """``work(item)`` for each of ``items``, at most ``limit`` at a time, yielding each result as it is done.
    ``items`` is read as room frees up (a list of 100,000 domains is never all in flight); tasks still
    running when the caller stops are cancelled.

    Examples
    --------
    >>> async def double(n):
    ...     await asyncio.sleep(0.01 * (3 - n))
    ...     return 2 * n
    >>> async def run():
    ...     return [r async for r in as_done(range(3), double, limit=3)]
    >>> asyncio.run(run())
    [4, 2, 0]
    """
    pending: set[asyncio.Task[T]] = set()
    try:
        for item in items:
            if len(pending) >= limit:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    yield task.result()
            pending.add(asyncio.ensure_future(work(item)))
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                yield task.result()
    finally:
        for task in pending:
            task.cancel()


class HostPacer:
    """At most ``rate`` connections a second started at each server (``None``: no limit).

    Examples
    --------
    >>> async def three():
    ...     pacer = HostPacer(20)
    ...     loop = asyncio.get_running_loop()
    ...     start = loop.time()
    ...     await asyncio.gather(*(pacer.wait("a.test:443") for _ in range(3)))
    ...     return loop.time() - start >= 0.1
    >>> asyncio.run(three())
    True
    """

    def __init__(self, rate: float | None) -> None:
        self.interval = 1 / rate if rate else 0.0
        self._next: dict[str, float] = {}  # server -> its next free turn (loop time)

    async def wait(self, server: str) -> None:
        """Wait for ``server``'s next free turn (turns are given out in the order asked)."""
        if not self.interval:
            return
        now = asyncio.get_running_loop().time()
        if len(self._next) > 10_000:  # a run over many servers: forget the turns already past
            self._next = {s: t for s, t in self._next.items() if t > now}
        turn = max(now, self._next.get(server, now))
        self._next[server] = turn + self.interval
        if turn > now:
            await asyncio.sleep(turn - now)


def user_agent(contact: str) -> str:
    """The User-Agent of every request: the tool, its version and the measurer's contact.

    Examples
    --------
    >>> user_agent("ops@example.org").split(" ", 1)[1]
    '(kg measure; +ops@example.org)'
    """
    from kg.model.resources import package_version

    version = package_version()
    return f"pdkg/{version} (kg measure; +{contact})" if contact else f"pdkg/{version} (kg measure)"


def describe_failure(error: BaseException) -> tuple[str, str]:
    """The outcome and detail of a failed connection, from the first cause in the chain that says why.

    Examples
    --------
    >>> describe_failure(ConnectionRefusedError(111, "Connection refused"))
    ('refused', 'connection refused')
    """
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, TimeoutError | httpx.TimeoutException):
            return "timeout", "no answer in time"
        if isinstance(seen, ConnectionRefusedError):
            return "refused", "connection refused"
        if isinstance(seen, ssl.SSLCertVerificationError):
            return "error", f"certificate not trusted: {seen.verify_message}"
        if isinstance(seen, ssl.SSLError):
            return "error", f"TLS error: {seen.reason or seen}"
        if isinstance(seen, socket.gaierror):
            return "error", f"cannot resolve the name: {seen.strerror}"
        seen = seen.__cause__ or seen.__context__
    return "error", f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
