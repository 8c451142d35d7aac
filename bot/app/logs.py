"""How Ripple writes its log: one format (text or JSON lines) for Ripple, uvicorn and the
libraries, each request's id on the lines made while handling it, and quiet at INFO."""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from adapters.http.observe import UNTIMED_PATHS, current_request_id
from bot.app.settings import LogFormat
from bot.redaction import install_redaction

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The keys of a JSON line, in this order; a library's ``extra`` fields never get in, as
# they would pass the redactor, which cuts bodies out of the message only.
JSON_KEYS = ("time", "level", "logger", "message", "request_id", "exc_info", "stack_info")
# Loggers that say too much at INFO: APScheduler writes two lines a tick ("Running job",
# "executed successfully"). At DEBUG they say everything again.
QUIET_AT_INFO = ("apscheduler",)
# uvicorn's access line for these comes every few seconds and tells nothing.
UNLOGGED_PATHS = UNTIMED_PATHS


class RequestIds(logging.Filter):
    """Puts the id of the request being handled, if any, on the record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id.get()
        if request_id is not None:
            record.request_id = request_id
        return True


class QuietProbes(logging.Filter):
    """Drops uvicorn's access lines for the probes and the metrics scrape."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3:  # (client, method, path, version, status)
            return str(args[2]).split("?", 1)[0] not in UNLOGGED_PATHS
        return True


class TextLines(logging.Formatter):
    """``time level logger: message``, and ``[request <id>]`` while handling a request."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        line = super().formatMessage(record)
        request_id = getattr(record, "request_id", None)
        return line if request_id is None else f"{line} [request {request_id}]"


class JsonLines(JsonFormatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, and when there
    is one the request id and the (redacted) traceback."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        found: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            # The redactor leaves a library's traceback in exc_text, without the exception's
            # message; the formatter would otherwise format exc_info afresh, message and all.
            "exc_info": record.exc_text or message_dict.get("exc_info"),
            "stack_info": message_dict.get("stack_info"),
        }
        log_data.update({key: found[key] for key in JSON_KEYS if found[key] is not None})


def configure_logging(*, level: str, log_format: LogFormat) -> None:
    """Write every record to stderr in ``log_format``, redacted, with request ids.

    When the root logger has handlers already (a test's capture), they are kept and only
    given the filters.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format is LogFormat.JSON else TextLines())
    logging.basicConfig(level=level, handlers=[handler])
    for root_handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIds) for f in root_handler.filters):
            root_handler.addFilter(RequestIds())
    install_redaction()
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, QuietProbes) for f in access.filters):
        access.addFilter(QuietProbes())
    if logging.getLevelName(level) > logging.DEBUG:
        for name in QUIET_AT_INFO:
            logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    warnings.simplefilter("default")
