"""Validation of parsed artifacts: semantic checks that produce findings, never exceptions.

Stats files: :func:`etstats.validate.stats.validate_stats_round`; the finding codes and their
severities are registered in :data:`etstats.validate.codes.STATS_CODES`.
"""

from etstats.validate.codes import STATS_CODES, CodeInfo, make_finding
from etstats.validate.stats import validate_stats_round

__all__ = ["STATS_CODES", "CodeInfo", "make_finding", "validate_stats_round"]
