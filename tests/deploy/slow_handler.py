"""A job handler for tests/deploy/test_jobs.py: reports progress, then works until its worker is killed."""

import time


def slow(job, progress):  # type: ignore[no-untyped-def]
    progress(5, 10, "Đang xử lý…", force=True)
    time.sleep(120)
    return {}
