"""A background task that runs some work every few seconds until stopped (retention sweeps,
meter sampling); a failing round is logged and the next one runs as planned."""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging

log = logging.getLogger("cimi_provider.periodic")


class Periodic:
    def __init__(self, what: str, seconds: float, work):
        self.what = what  # for the log
        self.seconds = seconds
        self.work = work  # a function or a coroutine function, without arguments
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.seconds)
            try:
                done = self.work()
                if inspect.isawaitable(done):
                    await done
            except Exception:  # noqa: BLE001 - try again at the next round
                log.exception("%s failed", self.what)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
