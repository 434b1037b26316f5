"""Logging that keeps nobody's address, and no line for each phone."""

from __future__ import annotations

import logging

# What websockets, through uvicorn's logger, says of each connection.
EACH_CONNECTION = ("connection open", "connection closed", "connection rejected")


class NoConnectionLines(logging.Filter):
    """Drops uvicorn's lines for each websocket that opens, closes or is refused. One of them
    (`<address> - "WebSocket <path>" [accepted]`) carries the phone's address, which Asamblea
    keeps nowhere (its uvicorn commands run without an access log for the same reason); and a
    hall whose Wi-Fi came back wrote 6,000 of them at once, a twelfth of the server's CPU then
    (py-spy, 2,000 phones). The server still says it started, and what went wrong. (At
    `--log-level trace`, a debugging level, uvicorn's lines still carry addresses.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg
        if not isinstance(message, str):
            return True
        return not message.startswith(('%s - "WebSocket ', *EACH_CONNECTION))
