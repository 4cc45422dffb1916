"""The whole etstats error hierarchy.

Every public function raises only these types for bad input. ``TypeError`` is kept for
programmer misuse of the API (wrong argument types), never for bad data.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Sequence


class EtStatsError(Exception):
    """Base class of every error etstats raises on purpose."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (type(self).__doc__ or type(self).__name__).strip())


class ParseError(EtStatsError, ValueError):
    """An artifact (stats file, endstats file, gametimes JSON, ...) could not be read.

    Attributes name where and why: ``source`` (file name or ``"<bytes>"``), ``line`` and
    ``column`` (1-based, ``None`` when not applicable), ``field`` (the field's name or a JSON
    path such as ``$.meta.round``), ``expected`` and ``actual`` (short human texts).
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str = "<input>",
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.column = column
        self.field = field
        self.expected = expected
        self.actual = actual
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.reason
        if self.expected is not None or self.actual is not None:
            text += f" (expected {self.expected or '?'}, got {_clip(self.actual)})"
        return text

    def __reduce__(self) -> tuple[object, ...]:  # keep pickling (multiprocessing) working
        return (_rebuild_parse_error, (type(self), self.__dict__.copy()))


class ValidationError(ParseError):
    """Structurally readable input whose values break the model's rules.

    ``problems`` holds one ``"<message> @ $.path"`` line per problem (cattrs' detailed
    validation, formatted by :func:`etstats.serde.format_problems`).
    """

    def __init__(self, reason: str, *, problems: Sequence[str] = (), **where: object) -> None:
        self.problems = tuple(problems)
        if self.problems:
            reason = reason + ": " + "; ".join(self.problems)
        super().__init__(reason, **where)  # type: ignore[arg-type]


class ReconcileError(EtStatsError):
    """The inputs given to the reconciliation engine cannot be reconciled at all."""


class StorageError(EtStatsError):
    """A storage backend failed; the driver's own exception is chained as ``__cause__``."""


class DuplicateRound(StorageError):
    """A round with the same natural key is already stored with different content."""


class PluginError(EtStatsError):
    """A plugin could not be loaded or broke the hook contract."""


class AdapterUnavailable(PluginError, ImportError):
    """An adapter's optional dependencies (its pip extra) are not installed."""


class ConfigError(EtStatsError):
    """A configuration file or environment setting is missing or malformed."""


def _clip(value: str | None, limit: int = 80) -> str:
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _rebuild_parse_error(cls: type[ParseError], state: dict[str, object]) -> ParseError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, err._format())
    return err


__all__ = [
    "AdapterUnavailable",
    "ConfigError",
    "DuplicateRound",
    "EtStatsError",
    "ParseError",
    "PluginError",
    "ReconcileError",
    "StorageError",
    "ValidationError",
]
