"""Starts moto's server with one speed-up for local mode (no behaviour change).

moto delivers every EventBridge event to every rule target through EventTemplateParser.parse, which
builds eight jsonpath_ng parsers per target per event. jsonpath_ng builds a whole PLY parser each
time (about 40 ms on a 2-core machine), so one event to five targets cost about 600 ms before any
handler ran. The parsed expressions are immutable, so caching them by text is safe.

It also stops with the process that started it: local mode stops moto by its PID, but a parent that
is killed, or interrupted before it could stop it (Ctrl-C while `npm run local` synthesizes), would
leave moto running and its port taken. A daemon thread watches the parent and exits when it is gone.

Usage: python3 local/moto_server.py -H 127.0.0.1 -p PORT   (the arguments of python3 -m moto.server)
"""
import functools
import os
import sys
import threading
import time

try:
    import jsonpath_ng.ext

    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=1024)(jsonpath_ng.ext.parse)
except ImportError:  # an older moto without it: start unpatched
    pass

from moto.server import main  # noqa: E402  (after the patch: moto imports parse at call time)


def exit_with_parent(interval_seconds=1.0):
    """Exits when the parent process is gone (this process is then re-parented, so its ppid changes)."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(interval_seconds)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


if __name__ == "__main__":
    exit_with_parent()
    sys.exit(main())
