"""etstats plugin entry point of the fastapi adapter.

Hook implementations only; the adapter's third-party imports happen inside the hooks.
"""

from __future__ import annotations
