"""`pyike cli`: an IOS-like prompt on the gateway's control socket, with history, word
completion and live debug output (a second connection under `terminal monitor`)."""

from __future__ import annotations

import threading

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import WordCompleter
from prompt_toolkit.patch_stdout import patch_stdout

from pyike.net.control import MONITOR_ON, ControlClient, ControlError
from pyike.node.exec.filters import FILTERS

WORDS = [
    "show",
    "crypto",
    "ikev2",
    "sa",
    "detailed",
    "session",
    "stats",
    "ipsec",
    "session",
    "detail",
    "running-config",
    "map",
    "proposal",
    "policy",
    "profile",
    "transform-set",
    "debug",
    "undebug",
    "all",
    "internal",
    "packet",
    "error",
    "clear",
    "peer",
    *FILTERS,
    "exit",
]


def _follow_debug(path: str, stop: threading.Event) -> None:
    try:
        monitor = ControlClient(path)
    except ControlError:
        return
    monitor.on_log = print
    try:
        monitor.run(MONITOR_ON)
        while not stop.is_set():
            monitor.poll_logs(0.5)
    except (ControlError, OSError):
        pass
    finally:
        monitor.close()


def interact(client: ControlClient) -> int:
    client.run("")  # learn the prompt
    stop = threading.Event()
    follower = threading.Thread(target=_follow_debug, args=(client.path, stop), daemon=True)
    follower.start()
    session: PromptSession[str] = PromptSession(completer=WordCompleter(WORDS))
    try:
        with patch_stdout():
            while True:
                try:
                    line = session.prompt(client.prompt)
                except EOFError:
                    break
                except KeyboardInterrupt:
                    continue
                if line.strip() in ("exit", "quit", "logout"):
                    break
                print(client.run(line), end="")
    finally:
        stop.set()
    return 0
