"""The Agents SDK's log records that Ripple reshapes before they reach a handler."""

from __future__ import annotations

import logging

SDK_ACTIVITY_LOGGER = "microsoft_agents.activity.activity"
SDK_CONNECTIONS_LOGGER = "microsoft_agents.hosting.core.authorization.connection_manager"


class _ValidationRecords(logging.Filter):
    """Turns the Agents SDK's record of an activity that failed validation into a DEBUG line.

    The SDK logs each one at ERROR with the input (what a person wrote) and a traceback.
    At the edge that is a refused request, which Ripple logs as one warning of its own; a
    failure anywhere else still raises and is reported where it is caught.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Validation error for Activity"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            record.msg, record.args, record.exc_info, record.exc_text = (
                "an activity failed the Agents SDK's validation",
                None,
                None,
                None,
            )
        return True


def quiet_activity_validation() -> None:
    sdk_logger = logging.getLogger(SDK_ACTIVITY_LOGGER)
    if not any(isinstance(f, _ValidationRecords) for f in sdk_logger.filters):
        sdk_logger.addFilter(_ValidationRecords())


class _ConnectionDump(logging.Filter):
    """Drops the many lines of connection settings the SDK logs at INFO when Teams is set up
    (start-up already says in one line whether Teams is on); at DEBUG they are kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not str(record.msg).lstrip().startswith(
            "Connections:"
        ):
            return True
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def quiet_connection_dump() -> None:
    sdk_logger = logging.getLogger(SDK_CONNECTIONS_LOGGER)
    if not any(isinstance(f, _ConnectionDump) for f in sdk_logger.filters):
        sdk_logger.addFilter(_ConnectionDump())
