"""Time the daily pages in-process: median and p95 per page and user, and the SQL statements each page runs.

    DATABASE_URL=sqlite:////tmp/perfdb/coso.sqlite3 python -m bench.pages [-n 20] [--warmup 2] [--only period,stats]
        [--users tentinh,bantochuc.anlac] [--profile PAGE] [--queries PAGE]

Where `make load` measures the pages through `coso serve` under many simulated users, this measures one request at a
time through Django's test client, so a change to a page can be measured in seconds on a busy machine. The settings
are production's (COSO_DEBUG=0, a random secret key, 2FA off as in `make load`); after each request the database
connection is closed as the server closes it (CONN_MAX_AGE), so the cost of opening one counts as it does there.
Each user signs in with `force_login` (the demo's `tentinh`, scope the whole province, and `bantochuc.anlac`,
scope one commune). The pages are those of the load test: the latest evaluation period the user sees (and the latest of their whole scope),
member statistics, meeting compliance, the organization tree and one branch, organization detail (the root and a
cell), a meeting, a cell's calendar, the member list and a member.

Columns: median and p95 wall time, median CPU time of this process (the database is in-process SQLite, so
that is the page's own cost; it stays comparable when another program shares the machine), SQL statements.

Without DATABASE_URL, the demo database of `make load` (bench/demo_db.py, built once under bench/out/demo/) is copied
to a temporary directory. Options: `-n` requests per page (after `--warmup` unmeasured ones), `--only` the pages
to time (names as printed), `--users`, `--profile PAGE` (cProfile of one request of that page for each user, the
top 40 functions by cumulative time), `--queries PAGE` (every SQL statement of one request, with its time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
USERS = ("tentinh", "bantochuc.anlac")


def _environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coso.settings")
    os.environ["COSO_DEBUG"] = "0"
    os.environ.setdefault("COSO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["COSO_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["COSO_REQUIRE_2FA"] = "0"
    os.environ.setdefault("COSO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("COSO_STATIC_ROOT", str(BASE_DIR / "bench" / "out" / "static"))
    if not os.environ.get("DATABASE_URL"):
        from bench import demo_db

        var_dir = Path(tempfile.mkdtemp(prefix="coso-pages-"))
        os.environ["COSO_VAR_DIR"] = str(var_dir)
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / demo_db.DB_NAME}"
        demo_db.fresh_copy(var_dir, dict(os.environ), small=False, say=lambda m: print(m, file=sys.stderr))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def pages_for(user: Any) -> dict[str, str]:
    """The URLs of the daily pages in `user`'s scope (the first found of each kind, so runs compare)."""
    from coso.core.dates import today
    from coso.core.scope import restrict
    from coso.evaluation import queries as evaluation_queries
    from coso.meetings.models import Meeting
    from coso.members.models import Member
    from coso.orgs import queries as orgs_queries

    root = (
        user.grants.filter(revoked_at__isnull=True, role="org_commission").select_related("org").first().org
    )
    placed = orgs_queries.periods(user, today()).select_related("org").order_by("path")
    cell = next((p.org for p in placed.filter(kind__is_cell=True)[:1]), None)
    parent = next((p.org for p in placed.filter(kind__is_cell=False).exclude(org=root)[:1]), root)
    meeting = (
        restrict(Meeting.objects.filter(status=Meeting.Status.HELD), user).order_by("-date", "-id").first()
    )
    member = restrict(Member.objects.all(), user).order_by("pk").first()
    period = evaluation_queries.periods(user).order_by("-date_to", "-id").first()
    # the latest period of the user's whole scope (for the province: a province-wide one, thousands of entries)
    own = evaluation_queries.periods(user).filter(org=root).order_by("-date_to", "-id").first()
    urls = {
        "period": f"/evaluation/periods/{period.pk}/" if period else "",
        "period_root": f"/evaluation/periods/{own.pk}/" if own and own != period else "",
        "stats": f"/members/statistics/{root.code}/",
        "compliance": f"/meetings/org/{root.code}/compliance/",
        "tree": "/orgs/",
        "children": f"/orgs/{parent.code}/children/",
        "org_root": f"/orgs/{root.code}/",
        "org_cell": f"/orgs/{cell.code}/" if cell else "",
        "meeting": f"/meetings/{meeting.pk}/" if meeting else "",
        "calendar": f"/meetings/org/{cell.code}/" if cell else "",
        "members": "/members/",
        "member": f"/members/{member.pk}/" if member else "",
    }
    return {k: v for k, v in urls.items() if v}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=20, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--users", default=",".join(USERS))
    parser.add_argument("--profile", default="", help="cProfile one request of this page")
    parser.add_argument("--queries", default="", help="print the SQL of one request of this page")
    args = parser.parse_args(argv)

    _environment()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if not Path(staticfiles_storage.location, "staticfiles.json").is_file():
        call_command("collectstatic", interactive=False, verbosity=0)

    only = {p for p in args.only.split(",") if p}
    rows: list[tuple[str, str, float, float, int]] = []
    for username in [u for u in args.users.split(",") if u]:
        user = get_user_model().objects.get(username=username)
        client = Client(secure=True, headers={"X-Forwarded-Proto": "https"})  # as the TLS proxy sends
        client.force_login(user)
        urls = pages_for(user)
        close_old_connections()

        def get(url: str, client: Any = client, username: str = username) -> Any:
            response = client.get(url)
            close_old_connections()  # as the server does at the end of a request (CONN_MAX_AGE = 0 on SQLite)
            if response.status_code != 200:
                raise SystemExit(f"{username} {url}: {response.status_code}")
            return response

        for name, url in urls.items():
            if only and name not in only:
                continue
            if args.profile == name:
                get(url)
                profiler = cProfile.Profile()
                profiler.enable()
                get(url)
                profiler.disable()
                print(f"\n=== {username} {name} {url}")
                pstats.Stats(profiler).sort_stats(
                    os.environ.get("COSO_PROFILE_SORT", "cumulative")
                ).print_stats(40)
            for _ in range(args.warmup):
                get(url)
            times = []
            cpu = []
            for _ in range(args.n):
                start, start_cpu = time.perf_counter(), time.process_time()
                get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            with CaptureQueriesContext(connection) as captured:
                get(url)
            if args.queries == name:
                print(f"\n=== {username} {name} {url}: {len(captured.captured_queries)} statements")
                for q in captured.captured_queries:
                    print(f"{q['time']:>6}s  {q['sql'][:600]}")
            rows.append(
                (
                    username,
                    name,
                    statistics.median(times),
                    percentile(times, 0.95),
                    statistics.median(cpu),
                    len(captured),
                )
            )
            print(f"{username:18} {name:11} {url:45} " + " ".join(f"{v:8.1f}" for v in rows[-1][2:5]))
            sys.stdout.flush()
    print(f"\n{'user':18} {'page':11} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>8} {'SQL':>5}")
    for username, name, median, p95, cpu_median, count in rows:
        print(f"{username:18} {name:11} {median:10.1f} {p95:8.1f} {cpu_median:8.1f} {count:5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
