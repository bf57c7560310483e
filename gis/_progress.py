"""Progress of long work: a tqdm bar on a terminal, plain lines in a log, nothing when quiet.

Private helper of the long-running steps (the phases of the national build, zonal
statistics over many units). tqdm draws the bar, counts and the time estimate; when standard
error is not a terminal (CI logs, a file) a bar would write carriage returns, so each step is
one plain line instead.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence

__all__: list[str] = []


class Steps:
    """Named phases of one job, timed: a bar with counts and an estimate on a terminal, one
    line per phase in a log, nothing when quiet. ``seconds`` holds each phase's wall time.

    Examples
    --------
    >>> steps = Steps(["read", "write"], desc="job", quiet=True)
    >>> with steps("read"):
    ...     pass
    >>> list(steps.seconds)
    ['read']
    """

    def __init__(self, names: Sequence[str], *, desc: str, quiet: bool = False) -> None:
        self.desc, self.quiet, self.seconds = desc, quiet, {}
        self._bar = None
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=len(names), desc=desc, file=sys.stderr, unit="phase")

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self._bar is not None:
            self._bar.set_postfix_str(name, refresh=True)
        elif not self.quiet:
            print(f"[{self.desc}] {name}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - start
            if self._bar is not None:
                self._bar.update(1)
                if self._bar.n >= self._bar.total:
                    self._bar.close()


@contextlib.contextmanager
def fraction_progress(
    total: int, *, desc: str, unit: str, quiet: bool = False
) -> Iterator[Callable[[float, str], None]]:
    """A callback ``report(fraction_done, message)`` (the form exactextract calls) shown as a bar
    of ``total`` ``unit``s on a terminal, a line per tenth in a log, nothing when quiet."""
    if quiet:
        yield lambda _frac, _msg="": None
        return
    if sys.stderr.isatty():
        from tqdm import tqdm

        with tqdm(total=total, desc=desc, unit=unit, file=sys.stderr) as bar:

            def report(frac: float, _msg: str = "") -> None:
                bar.update(max(0, round(frac * total) - bar.n))

            yield report
        return
    shown = [-1]

    def line(frac: float, _msg: str = "") -> None:
        tenth = int(frac * 10)
        if tenth > shown[0]:
            shown[0] = tenth
            print(
                f"[{desc}] {round(frac * total):,} of {total:,} {unit}s",
                file=sys.stderr,
                flush=True,
            )

    yield line
