"""The load test: `python -m bench.load [--users 50] [--time 10m] [--small-demo]` (`make load`, LOAD_USERS,
LOAD_TIME, LOAD_ARGS; CI's smoke: `make load LOAD_USERS=20 LOAD_TIME=30s LOAD_ARGS="--small-demo --communes 1"`).

Headless locust (bench/locustfile.py) against `coso serve` with production settings on a throw-away copy of the
demo, and a table at the end: per page, requests, failures, p50/p95/p99 (exact, from every request's time) and
the p95 target (500 ms for the province's pages, 200 ms for a commune's) with the ratio p95/target. Exits 1 when
any request failed (errors must be zero) or when nothing was measured; whether the targets are met is reported,
not asserted.

Steps:
1. A temporary directory (COSO_VAR_DIR: the SQLite database DATABASE_URL names, uploads, static files), whatever
   the caller's DATABASE_URL says: the test never touches another database. A fresh copy of the demo database
   (bench/demo_db.py: `coso migrate`, `coso load_demo` once per version of the code, kept under bench/out/demo/).
2. Accounts (`coso shell --no-imports -c ACCOUNTS`): the demo's province cadre `tentinh` (organization commission
   of the province) and commune cadre `bantochuc.anlac` (of SL-X002), plus `load.<commune>` cadres of other
   communes (organization commission, the demo password) so that the commune users spread over several
   communes.
3. `coso serve --bind 127.0.0.1:PORT` (gunicorn and the task worker; it collects the static files) with
   COSO_DEBUG=0, a random COSO_SECRET_KEY, COSO_ALLOWED_HOSTS=127.0.0.1, two-factor sign-in off (the demo's
   passwords alone; production keeps it on), the static files collected under bench/out/static and kept between
   runs. COSO_WEB_WORKERS, COSO_WEB_THREADS,
   COSO_WEB_TIMEOUT and COSO_SQLITE_TIMEOUT pass through from the caller; the API rates are set high
   (COSO_API_*_RATE) for the look-ups of step 4.
   TLS: with DEBUG off the cookies are Secure and plain HTTP is redirected to HTTPS. The server keeps those
   production settings (COSO_SSL_REDIRECT stays on); the client plays the TLS proxy of a real deployment: it sends
   `X-Forwarded-Proto: https` as deploy/nginx-coso.conf does (trusted from 127.0.0.1), and sends its Secure
   cookies over the loopback (see bench/locustfile.py).
4. What each account may open, read through the API with its own token (`coso token`): its organizations,
   cells and nodes with children, active members (ids, names to search for), held meetings, evaluation periods.
5. `locust --headless -u USERS -r RATE -t TIME`: province and commune users (2:3) log in once through /login/,
   then open the daily pages with a think time of LOAD_WAIT seconds (default 1-5).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench import demo_db

BASE_DIR = Path(__file__).resolve().parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
OUT_DIR = Path(__file__).resolve().parent / "out"
TARGET_MS = {"province": 500.0, "commune": 200.0}
SIDE_LABEL = {"province": "tỉnh", "commune": "xã"}
PASSTHROUGH = ("COSO_WEB_WORKERS", "COSO_WEB_THREADS", "COSO_WEB_TIMEOUT", "COSO_SQLITE_TIMEOUT")
LOGIN_PAGES = ("trang đăng nhập", "đăng nhập")
# the pages of bench/locustfile.py, in the order of the table
PAGES = (
    "cây tổ chức",
    "cây tổ chức: mở nhánh",
    "chi tiết tổ chức",
    "danh sách đảng viên",
    "tìm đảng viên",
    "hồ sơ đảng viên",
    "lịch sinh hoạt chi bộ",
    "cuộc sinh hoạt",
    "tình hình sinh hoạt",
    "đợt đánh giá, xếp loại",
    "thống kê đảng viên",
    *LOGIN_PAGES,
)
SIDE_OF_TAG = {label: side for side, label in SIDE_LABEL.items()}

# Run by `coso shell --no-imports -c`: make sure the commune accounts exist, print them as JSON on the last line.
ACCOUNTS = """
import json
from coso.accounts.demo import PASSWORD
from coso.accounts.models import RoleGrant, User
from coso.accounts.services import grant_role
from coso.orgs.models import OrgPeriod

wanted = {communes}
accounts = [{{"username": "tentinh", "side": "province"}}, {{"username": "bantochuc.anlac", "side": "commune"}}]
taken = set(RoleGrant.objects.filter(user__username="bantochuc.anlac").values_list("org_id", flat=True))
communes = [
    p.org
    for p in OrgPeriod.objects.filter(valid_to__isnull=True, kind__code__in=["dang_bo_xa", "dang_bo_phuong"])
    .select_related("org")
    .order_by("org__code")
    if p.org_id not in taken
]
step = max(1, len(communes) // max(1, wanted - 1))
for org in communes[::step][: wanted - 1]:
    username = "load." + org.code.lower()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name="Cán bộ Ban Tổ chức " + org.code, title="thử tải")
        user.set_password(PASSWORD)
        user.save()
        grant_role(None, user=user, role="org_commission", org=org)
    accounts.append({{"username": username, "side": "commune"}})
print("ACCOUNTS " + json.dumps({{"password": PASSWORD, "accounts": accounts}}))
"""


# ------------------------------------------------------------------------------------------------- helpers


def num(n: float, digits: int = 0) -> str:
    """Vietnamese number format: 12.345,6 (as bench/run.py)."""
    text = f"{n:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def ms(value: float) -> str:
    return num(value, 1 if value < 10 else 0)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(var_dir: Path) -> dict[str, str]:
    """Production-like settings on the throw-away directory; nothing of the caller's Coso settings but the
    server's size."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSO_") and k != "DATABASE_URL"}
    env.update({k: os.environ[k] for k in PASSTHROUGH if os.environ.get(k)})
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "coso.settings",
            "COSO_DEBUG": "0",
            "COSO_SECRET_KEY": secrets.token_urlsafe(50),
            "COSO_ALLOWED_HOSTS": "127.0.0.1",
            "COSO_VAR_DIR": str(var_dir),
            # the collected static files are kept between runs (`coso serve` collects again only when they changed)
            "COSO_STATIC_ROOT": str(OUT_DIR / "static"),
            # the demo's passwords alone sign in: the run measures the pages, and a second factor is one step of a
            # login, once per user (production keeps it on)
            "COSO_REQUIRE_2FA": "0",
            "DATABASE_URL": f"sqlite:///{var_dir / 'coso.sqlite3'}",
            "COSO_API_USER_RATE": "100000/minute",
            "COSO_API_ANON_RATE": "100000/minute",
            "COSO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def coso(env: dict[str, str], *args: str) -> str:
    """Run a `coso` command; its output, or SystemExit with it when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "coso.cli", *args], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"`coso {' '.join(args[:2])}` thất bại (mã {done.returncode}).")
    return done.stdout


def step(message: str, start: float) -> None:
    print(f"  [{time.monotonic() - start:6.0f} s] {message}", flush=True)


# -------------------------------------------------------------------------------------------------- server


class Server:
    """`coso serve` in its own process group, its output in serve.log."""

    def __init__(self, env: dict[str, str], var_dir: Path, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.origin = f"https://127.0.0.1:{port}"
        self.log_path = var_dir / "serve.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coso.cli", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            cwd=BASE_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"`coso serve` dừng ngay (mã {self.process.returncode}); xem {self.log_path}."
                )
            request = urllib.request.Request(self.base + "/login/", headers={"X-Forwarded-Proto": "https"})
            with contextlib.suppress(urllib.error.URLError, OSError):  # not listening yet
                with urllib.request.urlopen(request, timeout=5) as r:
                    if r.status == 200:
                        return
            time.sleep(1)
        raise SystemExit(f"`coso serve` chưa trả lời sau {timeout:.0f} s; xem {self.log_path}.")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # serve stops gunicorn and the worker
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this runner started
                self.process.wait()
        self.log.close()

    def errors_logged(self) -> list[str]:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if "Traceback" in line or "[ERROR]" in line]

    def api(self, token: str, path: str) -> Any:
        request = urllib.request.Request(
            self.base + "/api/v1/" + path,
            headers={
                "Authorization": f"Token {token}",
                "X-Forwarded-Proto": "https",
                "Accept": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=120) as r:
            return json.load(r)

    def api_all(self, token: str, path: str, pages: int = 20) -> list[Any]:
        """The results of a paginated list, following `next` (which names the https origin) up to `pages`."""
        results: list[Any] = []
        while path and pages:
            answer = self.api(token, path)
            results.extend(answer["results"])
            path = (answer.get("next") or "").partition("/api/v1/")[2]
            pages -= 1
        return results


# ----------------------------------------------------------------------------------------------- discovery


def discover(server: Server, env: dict[str, str], account: dict[str, Any]) -> dict[str, Any]:
    """What the account may open, read through the API with its own token (the API answers in its scope)."""
    token = coso(env, "token", account["username"]).strip()
    me = server.api(token, "me/")
    root = next(g["org"] for g in me["grants"] if g["role"] == "org_commission")
    cell_kinds = {k["code"] for k in server.api(token, "kinds/") if k["is_cell"]}
    orgs = server.api_all(token, f"orgs/?under={root}&page_size=1000")
    codes = [o["code"] for o in orgs]
    in_scope = set(codes)
    parents = sorted({o["parent"] for o in orgs if o["parent"] in in_scope})
    members = server.api_all(token, f"members/?under={root}&status=active&page_size=1000")
    meetings = server.api(token, f"meetings/?org={root}&status=held&page_size=500")["results"]
    periods = server.api(token, "evaluation/periods/?page_size=100")["results"]
    given = sorted({m["full_name"].split()[-1] for m in members})
    full = [m["full_name"] for m in members[:: max(1, len(members) // 20)]]
    found = {
        **account,
        "root": root,
        "orgs": codes,
        "parents": parents or [root],
        "cells": [o["code"] for o in orgs if o["kind_code"] in cell_kinds],
        "members": [m["id"] for m in members],
        "terms": given + full,
        "meetings": [m["id"] for m in meetings],
        "periods": [p["id"] for p in periods],
    }
    empty = [k for k in ("orgs", "cells", "members", "terms", "meetings") if not found[k]]
    if empty:
        raise SystemExit(f"Tài khoản {account['username']} ({root}) không có {', '.join(empty)} để mở.")
    return found


# -------------------------------------------------------------------------------------------------- report


def page_order(name: str) -> tuple[int, int, str]:
    """The province's pages, then the communes', each in the order of PAGES, their logins last."""
    tag, _, page = name.partition(": ")
    where = PAGES.index(page) if page in PAGES else len(PAGES)
    return (0 if SIDE_OF_TAG.get(tag) == "province" else 1, where, name)


def report(timings: list[list[Any]], failures_csv: Path) -> dict[str, Any]:
    by_name: dict[str, list[float]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    for name, elapsed, ok in timings:
        by_name[name].append(float(elapsed))
        if not ok:
            failed[name] += 1
    rows = []
    for name in sorted(by_name, key=page_order):
        values = sorted(by_name[name])
        tag, _, page = name.partition(": ")
        side = SIDE_OF_TAG.get(tag, "")
        target = None if page in LOGIN_PAGES else TARGET_MS.get(side)
        p95 = percentile(values, 95)
        rows.append(
            {
                "page": name,
                "side": side,
                "requests": len(values),
                "failures": failed[name],
                "p50_ms": round(percentile(values, 50), 1),
                "p95_ms": round(p95, 1),
                "p99_ms": round(percentile(values, 99), 1),
                "max_ms": round(values[-1], 1),
                "target_ms": target,
                "ratio": round(p95 / target, 2) if target else None,
            }
        )
    width = max([len(r["page"]) for r in rows] + [10])
    print()
    print(
        f"{'trang':<{width}} {'yêu cầu':>8} {'lỗi':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'chỉ tiêu':>9} {'p95/ct':>7}"
    )
    print("-" * (width + 60))
    for r in rows:
        target = f"{num(r['target_ms'])}" if r["target_ms"] else "—"
        ratio = num(r["ratio"], 2) if r["ratio"] is not None else "—"
        flag = "  CHƯA ĐẠT" if r["ratio"] is not None and r["ratio"] > 1 else ""
        print(
            f"{r['page']:<{width}} {num(r['requests']):>8} {num(r['failures']):>5} {ms(r['p50_ms']):>8} "
            f"{ms(r['p95_ms']):>8} {ms(r['p99_ms']):>8} {target:>9} {ratio:>7}{flag}"
        )
    total = sum(r["requests"] for r in rows)
    errors = sum(r["failures"] for r in rows)
    print("-" * (width + 60))
    print(f"{'tổng':<{width}} {num(total):>8} {num(errors):>5}")
    print(
        "chỉ tiêu: p95 ≤ 500 ms với trang của tỉnh, ≤ 200 ms với trang của xã; "
        "đăng nhập (một lần mỗi người dùng) không có chỉ tiêu."
    )
    missed = [r["page"] for r in rows if r["ratio"] is not None and r["ratio"] > 1]
    if missed:
        print(f"Chưa đạt chỉ tiêu p95 ({len(missed)} trang): " + "; ".join(missed))
    else:
        print("Mọi trang đạt chỉ tiêu p95.")
    if errors and failures_csv.exists():
        print("Lỗi (locust):")
        print(failures_csv.read_text(encoding="utf-8").rstrip())
    return {"rows": rows, "requests": total, "errors": errors, "missed": missed}


# ---------------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load",
        description=__doc__.split("\n\n")[0],
        epilog=(
            "TLS: máy chủ chạy với thiết lập thật (COSO_DEBUG=0: cookie Secure, chuyển HTTP sang HTTPS) trên HTTP "
            "thường ở 127.0.0.1; phía thử tải đóng vai proxy TLS (nginx): gửi X-Forwarded-Proto: https và gửi "
            "cookie Secure qua kết nối nội bộ đó. Cơ sở dữ liệu: SQLite mẫu tạo mới trong thư mục tạm, không "
            "dùng DATABASE_URL của người gọi. Chi tiết: docstring của bench/load.py và bench/locustfile.py."
        ),
    )
    parser.add_argument("--users", type=int, default=50, help="số người dùng đồng thời (mặc định 50)")
    parser.add_argument(
        "--time", default="10m", help="thời gian chạy theo cách viết của locust: 30s, 10m, 1h"
    )
    parser.add_argument(
        "--spawn-rate", type=float, default=0, help="người dùng thêm mỗi giây (mặc định: đủ số sau 20 giây)"
    )
    parser.add_argument(
        "--wait", default=os.environ.get("LOAD_WAIT", "1-5"), help="thời gian đọc trang giữa hai lần mở, giây"
    )
    parser.add_argument(
        "--communes", type=int, default=4, help="số tài khoản xã (mặc định 4, gồm bantochuc.anlac)"
    )
    parser.add_argument(
        "--small-demo",
        action="store_true",
        help="dữ liệu mẫu rút gọn (`coso load_demo --small`: ít cuộc sinh hoạt hơn; lần chạy ngắn của CI)",
    )
    parser.add_argument("--keep", action="store_true", help="giữ thư mục tạm (cơ sở dữ liệu, nhật ký)")
    args = parser.parse_args(argv)
    try:
        import locust  # noqa: F401
    except ImportError:
        raise SystemExit("Chưa cài locust: chạy `make load` (cài phần phụ thuộc [load]).") from None

    start = time.monotonic()
    var_dir = Path(tempfile.mkdtemp(prefix="coso-load-"))
    env = server_env(var_dir)
    cores = os.cpu_count() or 1
    print(
        f"Thử tải: {args.users} người dùng, {args.time}, máy {cores} nhân, thư mục tạm {var_dir}", flush=True
    )
    print(f"  tải máy lúc bắt đầu (1/5/15 phút): {', '.join(num(x, 2) for x in os.getloadavg())}")
    demo_db.fresh_copy(var_dir, env, small=args.small_demo, say=lambda text: step(text, start))
    step("đã chép dữ liệu mẫu", start)
    out = coso(env, "shell", "--no-imports", "-c", ACCOUNTS.format(communes=max(1, args.communes)))
    accounts = json.loads(out.strip().splitlines()[-1].removeprefix("ACCOUNTS "))
    server = Server(env, var_dir, free_port())
    locust_rc = 1
    summary: dict[str, Any] = {}
    try:
        server.wait_ready()
        step(f"coso serve chạy tại {server.base}", start)
        found = [discover(server, env, a) for a in accounts["accounts"]]
        for a in found:
            step(
                f"{SIDE_LABEL[a['side']]}: {a['username']} ({a['root']}): {len(a['orgs'])} tổ chức, "
                f"{len(a['members'])} đảng viên, {len(a['meetings'])} cuộc họp, {len(a['periods'])} đợt đánh giá",
                start,
            )
        targets = var_dir / "targets.json"
        targets.write_text(
            json.dumps({"origin": server.origin, "password": accounts["password"], "accounts": found}),
            encoding="utf-8",
        )
        timings_path = var_dir / "timings.json"
        rate = args.spawn_rate or max(1.0, args.users / 20)
        locust_env = {
            **env,
            "COSO_LOAD_TARGETS": str(targets),
            "COSO_LOAD_TIMINGS": str(timings_path),
            "COSO_LOAD_WAIT": args.wait,
        }
        cmd = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(rate),
            "-t",
            args.time,
            "--host",
            server.base,
            "--only-summary",
            "--csv",
            str(var_dir / "locust"),
            "--stop-timeout",
            "15",
            "--loglevel",
            "WARNING",
        ]
        step(
            f"locust: {args.users} người dùng (thêm {num(rate, 1)}/s), chờ {args.wait} s giữa hai trang",
            start,
        )
        loads: list[float] = []
        with open(var_dir / "locust.log", "wb") as log:
            run = subprocess.Popen(cmd, env=locust_env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT)
            began = time.monotonic()
            while run.poll() is None:
                time.sleep(5)
                loads.append(os.getloadavg()[0])
                if len(loads) % 12 == 0:
                    step(f"đang chạy {time.monotonic() - began:.0f} s, tải máy {num(loads[-1], 2)}", start)
            locust_rc = run.returncode
        step(f"locust xong (mã {locust_rc})", start)
        if not timings_path.exists():
            sys.stderr.write((var_dir / "locust.log").read_text(encoding="utf-8", errors="replace")[-4000:])
            raise SystemExit("locust không ghi kết quả; xem nhật ký ở trên.")
        summary = report(
            json.loads(timings_path.read_text(encoding="utf-8")), var_dir / "locust_failures.csv"
        )
        logged = server.errors_logged()
        if logged:
            print(f"Nhật ký máy chủ có {len(logged)} dòng lỗi, ví dụ: {logged[0]}")
        if loads:
            print(
                f"Tải máy trong lúc chạy (trung bình 1 phút, {cores} nhân): trung bình {num(sum(loads) / len(loads), 2)}, "
                f"cao nhất {num(max(loads), 2)} — gồm cả locust, máy chủ và mọi việc khác đang chạy trên máy."
            )
        OUT_DIR.mkdir(exist_ok=True)
        out_file = OUT_DIR / "load.json"
        out_file.write_text(
            json.dumps(
                {
                    "users": args.users,
                    "time": args.time,
                    "wait": args.wait,
                    "cores": cores,
                    "load_average": {
                        "mean": sum(loads) / len(loads) if loads else None,
                        "max": max(loads, default=None),
                    },
                    "server_errors_logged": len(logged),
                    **summary,
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        print(
            f"Kết quả: {out_file.relative_to(BASE_DIR)}; thời gian cả lần thử: {time.monotonic() - start:.0f} s"
        )
    finally:
        server.stop()
        if args.keep:
            print(f"Giữ thư mục tạm: {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)
    if not summary.get("requests"):
        print("Không đo được yêu cầu nào.")
        return 1
    if summary["errors"] or locust_rc != 0:
        print(f"THẤT BẠI: {summary['errors']} yêu cầu lỗi (phải bằng 0); locust thoát với mã {locust_rc}.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
