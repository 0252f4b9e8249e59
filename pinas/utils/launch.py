"""torchrun with the project's error convention: the launcher of ``tools/dist_*.sh``.

    python -m pinas.utils.launch [torchrun options] SCRIPT [SCRIPT arguments]

torchrun answers any failed worker with its ``ChildFailedError`` traceback after the worker's own message, and
every rank prints the same usage error. Here a worker's ``error: ...`` line is the whole report: each distinct
``error:`` line reaches stderr once, torchrun's failure log and traceback are left out, and the launcher exits
with the first failed worker's status (2 for a usage error, see :mod:`pinas.utils.cli`). A worker killed by a
signal gets one ``error:`` line from the launcher. SIGTERM, SIGINT, SIGHUP or SIGQUIT to the launcher stop its
workers (torchrun's agent signals them, then kills what is left) before it exits with 128 + the signal number.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from typing import Iterator, Sequence

from .cli import EXIT_FAILURE, EXIT_USAGE, one_line

_ERROR = b'error: '
# torchrun's own account of a failure, which the workers' lines (or the launcher's) already give
_AGENT_NOISE = ('failed (exitcode: ', 'Sending process ')
_DRAIN_S = 5  # how long the launcher waits for the workers' last output after they end


def main(argv: Sequence[str] | None = None) -> int:
    from torch.distributed import DistNetworkError
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import parse_args, run

    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    _stop_once()
    logging.getLogger('torch.distributed.elastic.multiprocessing.api').addFilter(
        lambda record: not str(record.msg).startswith(_AGENT_NOISE))
    with _one_line_per_error():
        try:
            run(args)
        except ChildFailedError as err:
            rank, failure = err.get_first_failure()
            if failure.exitcode > 0:
                return failure.exitcode  # the worker said why (an error: line, or its traceback)
            print(f'error: rank {rank} (pid {failure.pid}) of {os.path.basename(err.name)} was killed by '
                  f'{failure.signal_name()}; its output above shows how far it got', file=sys.stderr, flush=True)
            return EXIT_FAILURE
        except SignalException as err:
            return 128 + int(err.sigval)
        except DistNetworkError as err:  # e.g. the rendezvous port is taken
            print(f'error: {one_line(err)}; another job may hold port {args.master_port}: set PORT to a free one',
                  file=sys.stderr, flush=True)
            return EXIT_USAGE
    return 0


def _stop_once() -> None:
    """torchrun's agent answers a signal by stopping its workers (the signal, then SIGKILL after its shutdown
    timeout); a second signal, a second Ctrl-C, would break off that shutdown and leave them running. So the
    launcher ignores further signals once it is stopping."""
    from torch.distributed.elastic.multiprocessing import api
    handler = getattr(api, '_terminate_process_handler', None)
    if handler is None:  # another torch: its own handling stays
        return

    def stop(signum, frame):
        for name in ('SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        handler(signum, frame)
    api._terminate_process_handler = stop


@contextlib.contextmanager
def _one_line_per_error() -> Iterator[None]:
    """Pass this process's stderr, which the workers inherit, through a filter that drops repeated ``error:``
    lines (every rank reports the same bad option)."""
    sys.stderr.flush()
    original = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    forward = threading.Thread(target=_forward, args=(read_end, original), daemon=True)
    forward.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(original, 2)  # the pipe closes once no worker (nor a worker's child) holds it
        forward.join(_DRAIN_S)
        os.close(original)


def _forward(read_end: int, out: int) -> None:
    """Copy ``read_end`` to ``out`` as it comes, except ``error:`` lines already copied once."""
    seen: set[bytes] = set()
    pending, mid_line = b'', False
    while chunk := os.read(read_end, 65536):
        pending += chunk
        while pending:
            end = pending.find(b'\n') + 1
            if mid_line or (not end and not _ERROR.startswith(pending[:len(_ERROR)])):
                part = pending[:end] if end else pending  # not an error line: copied without waiting
                _write(out, part)
                pending, mid_line = pending[len(part):], not end
                continue
            if not end:
                break  # perhaps an error line: wait for its end
            line, pending = pending[:end], pending[end:]
            if line.startswith(_ERROR):
                if line in seen:
                    continue
                seen.add(line)
            _write(out, line)
    if pending:
        _write(out, pending)
    os.close(read_end)


def _write(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data):]


if __name__ == '__main__':
    sys.exit(main())
