"""Benchmark: how much of the main process's CPU an ingest spends reconciling rounds itself.

``python bench/reconcile_share.py [etstats ingest arguments]`` runs ``etstats ingest`` in this
process (e.g. ``--jobs 1 --db /tmp/x.db /tmp/p1k/season``; set ``ETSTATS_TIMEZONE`` as for the
ingest) with :func:`etstats.ingest.reconcile_step.reconcile_round` wrapped where the batch end
calls it in the main process, and prints one JSON line to stderr: the rounds the main process
reconciled itself (with workers, the rest were reconciled by them), the CPU seconds those calls
took (engine, lean form and stored text), the characters of report text they wrote, and the
CPU seconds (user + sys) of the main process and of the workers. The workers import their own
``reconcile_round``, so only the main process's calls are counted.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any


def main(argv: list[str]) -> int:
    from etstats.cli import main as etstats_main
    from etstats.ingest import batch_reconcile
    from etstats.ingest.reconcile_step import reconcile_round as original

    seen = {"rounds": 0, "cpu": 0.0, "chars": 0}

    def counted(*args: Any, **kw: Any) -> Any:
        start = time.process_time()
        result = original(*args, **kw)
        seen["cpu"] += time.process_time() - start
        seen["rounds"] += 1
        if result is not None:
            seen["chars"] += len(result[3])
        return result

    # the batch end calls it by this module-level name
    batch_reconcile.reconcile_round = counted  # type: ignore[attr-defined]
    code = etstats_main(["ingest", *argv])
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "main_rounds": seen["rounds"],
        "main_reconcile_cpu_s": round(seen["cpu"], 3),
        "report_chars": seen["chars"],
        "main_cpu_s": round(me.ru_utime + me.ru_stime, 3),
        "workers_cpu_s": round(kids.ru_utime + kids.ru_stime, 3),
    }
    print(json.dumps(out), file=sys.stderr)
    return code


if __name__ == "__main__":  # the workers import this module again: run only in the parent
    sys.exit(main(sys.argv[1:]))
