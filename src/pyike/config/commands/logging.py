"""`logging buffered [SIZE] [LEVEL]`: the size of the logging buffer and the least severe
messages it keeps (IOS's range of sizes, its level names or numbers). Other `logging` lines
stay unmodelled."""

from __future__ import annotations

from pyike.config.build import Builder
from pyike.config.grammar import Match
from pyike.config.lexer import Line
from pyike.config.model import DEBUGGING, SEVERITIES, LoggingBuffer
from pyike.config.modes import GLOBAL

MIN_SIZE, MAX_SIZE = 4096, 2147483647
_LEVELS = "|".join(SEVERITIES)


@GLOBAL.command(
    f"logging buffered $ [<size:INT({MIN_SIZE},{MAX_SIZE})>] [{{{_LEVELS}|<level:INT(0,7)>}}]"
)
def _logging_buffered(b: Builder, m: Match, line: Line, negate: bool) -> None:
    if negate:
        b.update(logging_buffer=LoggingBuffer(enabled=False))
        return
    named = [word for word in m.keywords() if word in SEVERITIES]
    level = SEVERITIES.index(named[0]) if named else m.get("level", DEBUGGING)
    size = m.get("size", b.config.logging_buffer.size)
    b.update(logging_buffer=LoggingBuffer(size=size, level=level))
