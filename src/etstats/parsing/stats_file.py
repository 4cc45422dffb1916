"""Parse c0rnp0rn stats files (one file per round) into :class:`~etstats.model.stats.StatsRound`.

Public API (every function raises only :class:`~etstats.errors.ParseError`, for any input):

* :func:`parse_stats_bytes` - raw bytes of a file;
* :func:`parse_stats_text` - already decoded text;
* :func:`parse_stats_file` - a path (provenance filled from the bytes and the file name).

Layouts are detected per line: 8- or 9-field headers, TAB sections of 33, 36, 37 or 38 fields.
Input quirks (bad numbers, unknown layouts, weapon-mask mismatches, Latin-1 names, CRLF ...)
become :class:`~etstats.model.common.Finding` objects on ``StatsRound.findings`` together with
the validator's semantic findings (:func:`etstats.validate.stats.validate_stats_round`). Only
structural impossibilities raise: empty input, NUL bytes or other control characters (binary
data), input larger than :data:`MAX_STATS_BYTES`, or a first line that is not an 8/9-field
header.

Decoding: the whole file as UTF-8 when valid; otherwise each line separately, UTF-8 when
valid, else Latin-1 (finding ``latin1-line``). A leading UTF-8 byte-order mark is removed.
Lines end at ``\\n``; one ``\\r`` before it is removed (CRLF).
"""

from __future__ import annotations

import hashlib
import os
import re

from etstats.errors import ParseError
from etstats.model.common import Finding, Provenance, build_provenance
from etstats.model.stats import StatsRound, build_stats_round
from etstats.parsing._stats_lines import read_players
from etstats.parsing._stats_tokens import Tokenizer
from etstats.parsing.filenames import _timestamp_map_round
from etstats.parsing.input_file import read_input_file, too_large
from etstats.parsing.stats_truncation import end_of_file_findings
from etstats.validate.codes import make_finding
from etstats.validate.stats import validate_stats_round

MAX_STATS_BYTES = 10 * 1024 * 1024
"""Largest stats file accepted (bytes); real files are 64 B - 3 KB."""

_BOM = "\ufeff"
_ALLOWED_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n"
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]|\r(?!\n)(?!\Z)")


def parse_stats_bytes(
    data: bytes, *, source: str = "<bytes>", path: str | None = None
) -> StatsRound:
    """Parse the raw bytes of a stats file.

    ``source`` names the input in findings and errors; ``path`` (if given) is recorded in the
    provenance, and its base name (else ``source``'s) is parsed for the file timestamp, map and
    round. Raises only :class:`ParseError`.
    """
    if isinstance(data, str):
        raise TypeError("parse_stats_bytes() needs bytes; use parse_stats_text() for str")
    data = bytes(data)
    try:
        provenance = _provenance(data, path, source)
        _check_size(len(data), source)
        nul = data.find(b"\x00")
        if nul >= 0:
            _raise_at(
                data[:nul].decode("latin-1"), nul, "NUL byte: binary data, not a stats file", source
            )
        findings: list[Finding] = []
        text = _decode(data, source, findings)
        return _parse(text, source, provenance, findings)
    except ParseError:
        raise
    except Exception as exc:  # the contract: nothing but ParseError escapes
        raise ParseError(
            f"internal parser error: {type(exc).__name__}: {exc}", source=source
        ) from exc


def parse_stats_text(text: str, *, source: str = "<text>") -> StatsRound:
    """Parse an already decoded stats file text. Raises only :class:`ParseError`."""
    if not isinstance(text, str):
        raise TypeError("parse_stats_text() needs str; use parse_stats_bytes() for bytes")
    try:
        _check_size(len(text), source)
        bad = _find_bad_char(text)
        if bad is None:
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            size = len(text.encode("utf-8"))
        else:  # _parse raises for it; no hash needed
            digest, size = "", len(text)
        name = _timestamp_map_round(source)
        timestamp, file_map, file_round = (None, None, None) if name is None else name
        provenance = build_provenance(digest, size, None, timestamp, file_map, file_round)
        findings: list[Finding] = []
        if text.startswith(_BOM):
            text = text[1:]
            findings.append(_bom_finding(source))
        return _parse(text, source, provenance, findings)
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(
            f"internal parser error: {type(exc).__name__}: {exc}", source=source
        ) from exc


def parse_stats_file(path: str | os.PathLike[str]) -> StatsRound:
    """Read and parse a stats file; provenance holds the path, SHA-256, size and name parts.

    Findings and errors name the file by ``str(path)``. An unreadable file (missing,
    directory, permission) raises :class:`ParseError` too.
    """
    source = os.fspath(path)
    data = read_input_file(source, MAX_STATS_BYTES)
    return parse_stats_bytes(data, source=source, path=source)


# --- internals ---------------------------------------------------------------------------


def _provenance(data: bytes, path: str | None, source: str) -> Provenance:
    name = _timestamp_map_round(path if path is not None else source)
    timestamp, file_map, file_round = (None, None, None) if name is None else name
    return build_provenance(
        hashlib.sha256(data).hexdigest(), len(data), path, timestamp, file_map, file_round
    )


def _check_size(size: int, source: str) -> None:
    if size == 0:
        raise ParseError(
            "empty file",
            source=source,
            line=1,
            column=1,
            field="header",
            expected="a header line",
            actual="0 bytes",
        )
    if size > MAX_STATS_BYTES:
        raise too_large(source, MAX_STATS_BYTES, f"more than {MAX_STATS_BYTES} bytes")


def _bom_finding(source: str) -> Finding:
    return make_finding("byte-order-mark", "UTF-8 byte-order mark removed", source=source, line=1)


def _decode(data: bytes, source: str, findings: list[Finding]) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        findings.append(_bom_finding(source))
        if not data:
            _check_size(0, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("latin-1"))
            findings.append(
                make_finding(
                    "latin1-line",
                    "line is not valid UTF-8; decoded as Latin-1",
                    source=source,
                    line=number,
                )
            )
    return "\n".join(lines)


def _find_bad_char(text: str) -> re.Match[str] | None:
    """The first character that makes ``text`` binary data (see ``_BAD_CHAR``), if any.

    Fast path for ASCII text (every real file): deleting the allowed bytes with
    ``bytes.translate`` is far cheaper than running the regex over the whole file.
    """
    if (
        text.isascii()
        and "\r" not in text
        and not text.encode("ascii").translate(None, _ALLOWED_ASCII)
    ):
        return None
    return _BAD_CHAR.search(text)


def _raise_at(text: str, pos: int, reason: str, source: str) -> None:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    char = text[pos] if pos < len(text) else "\x00"
    raise ParseError(
        reason,
        source=source,
        line=line,
        column=column,
        expected="text (no control characters but TAB, CR before LF, LF)",
        actual=f"U+{ord(char):04X}",
    )


def _parse(text: str, source: str, provenance: Provenance, findings: list[Finding]) -> StatsRound:
    if not text:
        _check_size(0, source)
    bad = _find_bad_char(text)
    if bad is not None:
        char = bad.group()[0]
        reason = (
            "NUL byte: binary data, not a stats file"
            if char == "\x00"
            else ("control character: binary data, not a stats file")
        )
        _raise_at(text, bad.start(), reason, source)
    lines = text.split("\n")
    ended = lines[-1] == ""
    if ended:
        lines.pop()
    findings.extend(end_of_file_findings(ended, len(lines), source))
    tok = Tokenizer(source)
    tok.findings = findings
    first = lines[0]
    header = tok.header(first[:-1] if first.endswith("\r") else first)
    players, hints = read_players(tok, lines, "\r" in text)
    rnd = build_stats_round(header, tuple(players), provenance, ())
    findings.extend(validate_stats_round(rnd, source=source, hints=hints))
    return build_stats_round(header, rnd.players, provenance, tuple(findings))


__all__ = ["MAX_STATS_BYTES", "parse_stats_bytes", "parse_stats_file", "parse_stats_text"]
