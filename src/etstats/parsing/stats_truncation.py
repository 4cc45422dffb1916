"""Truncation detection for c0rnp0rn stats files: which cut points the format lets us see.

The c0rnp0rn script writes a file in one go and ends **every** line, the last player line
included, with ``\\n`` (verified on all 215 real files). The format has no player count in
the header and no end marker, so the only detectable sign of a cut is a last line without its
newline:

* a cut inside the header or inside any player line leaves a last line without ``\\n``:
  detected (finding ``truncated-file``, an error);
* a cut between ``\\r`` and ``\\n`` of a CRLF copy leaves a trailing ``\\r``: detected the same way;
* a cut exactly after a line's ``\\n`` leaves a shorter but well-formed file (fewer players):
  **not** detectable from the bytes alone. The ingest winner rule (docs/storage.md) then
  prefers the larger copy of the same round when the complete file arrives too;
* a cut to zero bytes is an empty file, already a parse error.

The stats parser calls :func:`end_of_file_findings`; the ingest pipeline calls
:func:`truncation_error` on the parsed round and rejects a truncated file instead of storing
it. Kept apart from the line readers so either can change without the other.
"""

from __future__ import annotations

from collections.abc import Iterable

from etstats.errors import ParseError
from etstats.model.common import Finding
from etstats.validate.codes import make_finding

TRUNCATED_CODE = "truncated-file"
"""Finding code of a stats file that ends mid-line (an error: never stored as a round)."""


def end_of_file_findings(ended_with_newline: bool, line_count: int, source: str) -> list[Finding]:
    """Findings about how the text ends: none when its last line ends with ``\\n``.

    ``line_count`` is the number of lines (the last, unterminated one included); it locates
    the findings.
    """
    if ended_with_newline:
        return []
    return [
        make_finding(
            "missing-final-newline", "the last line has no newline", source=source, line=line_count
        ),
        make_finding(
            TRUNCATED_CODE,
            "the file ends in the middle of a line: it was cut (truncated or still being "
            "written); the script ends every line with a newline",
            source=source,
            line=line_count,
            expected="a newline at the end of the file",
            actual="end of file inside the line",
        ),
    ]


def truncation_error(findings: Iterable[Finding], source: str) -> ParseError | None:
    """The :class:`ParseError` that rejects a truncated stats file, ``None`` if it is whole."""
    for finding in findings:
        if finding.code == TRUNCATED_CODE:
            return ParseError(
                "truncated stats file: it ends in the middle of a line",
                source=source,
                line=finding.line,
                field="end of file",
                expected=finding.expected,
                actual=finding.actual,
            )
    return None


__all__ = ["TRUNCATED_CODE", "end_of_file_findings", "truncation_error"]
