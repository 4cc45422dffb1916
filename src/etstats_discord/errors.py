"""Errors of the Discord webhook sender (all :class:`etstats.errors.EtStatsError`)."""

from __future__ import annotations

from etstats.errors import EtStatsError


class DeliveryError(EtStatsError):
    """A webhook request did not succeed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        """Discord's JSON error code (e.g. 10015 unknown webhook, 50035 invalid form body)."""
        self.retry_after = retry_after
        """Seconds Discord asked to wait (rate limits), if any."""


class TargetGone(DeliveryError):
    """401, 403, 404 or an unknown/invalid webhook: stop using this target."""


class PayloadRejected(DeliveryError):
    """400 (e.g. 50035 invalid form body): not retryable as it is."""

    def __init__(
        self, message: str, *, status: int | None = None, code: int | None = None, path: str = ""
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.path = path
        """Where Discord located the problem (``embeds.0.fields.3.value``), if it said."""


class MessageGone(DeliveryError):
    """The message to edit or delete no longer exists (10008)."""


class AmbiguousSend(DeliveryError):
    """The request may have reached Discord but no answer came (timeout, dropped
    connection): a create may have happened. Never retried blindly."""


class Unavailable(DeliveryError):
    """Retryable failures (5xx, timeouts, rate limits, connection errors) used up the time
    budget, or a 429 came without ``Via`` (a Cloudflare block)."""
