"""The API fuzz run: `python -m bench.fuzz [--examples N] [--small-demo] [--seed S] [--keep] [-- ST_ARGS]`
(`make fuzz FUZZ_EXAMPLES=N FUZZ_ARGS=...`; CI runs `make fuzz FUZZ_EXAMPLES=5 FUZZ_ARGS=--small-demo`).

Schemathesis over every operation of /api/v1/openapi.json, against Coso as a deployment runs it (`coso serve`,
DEBUG off) on a throw-away SQLite database with the demo data, with the API token of the province user `tentinh`.
Every answer must be a success or a 4xx (never a 5xx), in JSON, with a status code the schema lists for that
operation and a body and headers that match the schema; an invalid request (a wrong type, an id that is not a
number, a missing required field) must be refused with a 4xx. Phases: coverage (boundary and invalid values of
every parameter and field) and fuzzing (`--examples` random cases per operation); the schema has no examples.

The database, the uploads and the reports live in a temporary folder, removed at the end (`--keep` keeps it, and
says where). The database is a fresh copy of the demo, built once per version of the code and kept under
bench/out/demo/ (bench/demo_db.py, shared with `make load`); `--demo-db FILE` starts from another coso.sqlite3;
writes that the fuzzer makes go there and nowhere else. The server runs with the API throttles raised
(COSO_API_USER_RATE, COSO_API_ANON_RATE: a fuzz run makes thousands of calls a minute, which a real client may
not) and without the task worker (queued imports stay queued). Only 127.0.0.1 is contacted.

Prints a summary (operations, test cases, each failure by check and operation) and exits non-zero on any failure
or error; schemathesis' own report above it shows each failure with a curl line to reproduce it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
from pathlib import Path

from bench import demo_db

BASE_DIR = Path(__file__).resolve().parent.parent
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
]
USER = "tentinh"  # the demo's Ban Tổ chức Tỉnh ủy: its scope is the whole province
FUZZ_RATE = "1000000/minute"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(folder: Path) -> dict[str, str]:
    """Production settings on a database of its own in `folder`; the throttles raised for the fuzzer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COSO_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        COSO_DEBUG="0",
        COSO_SECRET_KEY=secrets.token_urlsafe(50),
        COSO_ALLOWED_HOSTS="127.0.0.1,localhost",
        COSO_SSL_REDIRECT="0",
        COSO_VAR_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'coso.sqlite3'}",
        COSO_API_USER_RATE=FUZZ_RATE,
        COSO_API_ANON_RATE=FUZZ_RATE,
        COSO_WEB_WORKERS="2",
        COSO_WEB_THREADS="2",
        COSO_LOG_LEVEL="ERROR",
        # collected once and kept between runs, as `make load` does (`coso serve` skips it when unchanged)
        COSO_STATIC_ROOT=str(BASE_DIR / "bench" / "out" / "static"),
    )
    return env


def coso(*args: str, env: dict[str, str]) -> str:
    r = subprocess.run(
        [sys.executable, "-m", "coso.cli", *args], env=env, capture_output=True, text=True, cwd=BASE_DIR
    )
    if r.returncode != 0:
        sys.exit(f"coso {' '.join(args)} thất bại (mã {r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def fetch(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def wait_for(url: str, token: str, server: subprocess.Popen[bytes], seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"coso serve đã dừng (mã {server.returncode}) trước khi trả lời.")
        with contextlib.suppress(OSError):  # not listening yet
            status, body = fetch(url, token)
            if status == 200:
                return body
        time.sleep(0.5)
    sys.exit(f"coso serve không trả lời {url} sau {seconds:.0f} giây.")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def summarise(ndjson: Path) -> tuple[int, int, dict[str, set[tuple[str, str]]], int]:
    """(operations, test cases, {check: {(operation, what)}} of the failures, errors) from schemathesis' events."""
    operations: set[str] = set()
    cases = 0
    failures: dict[str, set[tuple[str, str]]] = {}
    errors = 0
    for line in ndjson.read_text().splitlines():
        event = json.loads(line)
        for kind, data in event.items():
            if kind == "ScenarioFinished":
                recorder = data.get("recorder", {})
                label = recorder.get("label", "")
                if label:
                    operations.add(label)
                cases += len(recorder.get("cases", {}))
                for checks in recorder.get("checks", {}).values():
                    for check in checks:
                        if check.get("status") != "failure":
                            continue
                        failure = check.get("failure_info", {}).get("failure", {})
                        what = failure.get("title", "")
                        lines = [x.strip() for x in (failure.get("message") or "").splitlines() if x.strip()]
                        detail = next((x for x in lines if x.startswith("Invalid component")), lines[:1])
                        if detail:
                            what += f": {(detail if isinstance(detail, str) else detail[0])[:160]}"
                        failures.setdefault(check.get("name", "?"), set()).add((label, what))
            elif kind == "NonFatalError":
                errors += 1
    return len(operations), cases, failures, errors


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=50, help="test cases per operation and phase (50)")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis' random seed (to repeat a run)")
    parser.add_argument("--workers", type=int, default=2, help="schemathesis' concurrent workers (2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, reports)")
    parser.add_argument(
        "--phases",
        default="examples,coverage,fuzzing",
        help="schemathesis phases (examples,coverage,fuzzing)",
    )
    parser.add_argument(
        "--small-demo",
        action="store_true",
        help="`coso load_demo --small` (fewer meetings; CI's quicker run)",
    )
    parser.add_argument(
        "--demo-db",
        type=Path,
        default=None,
        help="start from a copy of this SQLite file (the coso.sqlite3 of a --keep run) instead of loading the demo",
    )
    parser.add_argument(
        "schemathesis_args", nargs="*", help="more arguments for `schemathesis run` (after --)"
    )
    options = parser.parse_args()

    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="coso-fuzz-"))
    env = environment(folder)
    server = None
    try:
        print(f"== cơ sở dữ liệu thử: {folder / 'coso.sqlite3'}", flush=True)
        t = time.monotonic()
        if options.demo_db is not None:
            shutil.copyfile(options.demo_db, folder / "coso.sqlite3")
            coso("migrate", "--noinput", "-v0", env=env)
        else:
            demo_db.fresh_copy(folder, env, small=options.small_demo, say=lambda text: print(f"   {text}"))
        print(f"   dữ liệu mẫu sẵn sàng sau {time.monotonic() - t:.0f} giây", flush=True)
        token = coso("token", USER, env=env).strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "coso.cli", "serve", "--bind", f"127.0.0.1:{port}", "--no-worker"],
            env=env,
            cwd=BASE_DIR,
            stdout=(folder / "server.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        schema = folder / "openapi.json"
        schema.write_bytes(wait_for(f"{base}/api/v1/openapi.json?format=json", token, server))
        reports = folder / "reports"
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            str(schema),
            "--url",
            base,
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            ",".join(CHECKS),
            "--max-examples",
            str(options.examples),
            "--phases",
            options.phases,
            "--workers",
            str(options.workers),
            "--generation-database",
            "none",
            "--request-timeout",
            "60",
            "--report",
            "ndjson,junit",
            "--report-dir",
            str(reports),
            "--no-color",
            "--output-sanitize",
            "true",
        ]
        if options.seed is not None:
            command += ["--seed", str(options.seed)]
        command += options.schemathesis_args
        print(
            f"== schemathesis: {options.examples} ví dụ mỗi thao tác, kiểm tra {', '.join(CHECKS)}",
            flush=True,
        )
        t = time.monotonic()
        result = subprocess.run(command, cwd=folder)
        fuzz_seconds = time.monotonic() - t
        ndjson = next(reports.glob("*.ndjson"), None)
        print("== tóm tắt")
        if ndjson is not None:
            operations, cases, failures, errors = summarise(ndjson)
            print(f"   thao tác: {operations}; ca thử: {cases}; lỗi chạy: {errors}")
            for name in CHECKS:
                print(f"   {name}: {len(failures.get(name, ()))} lỗi")
                for label, what in sorted(failures.get(name, ())):
                    print(f"     - {label}: {what}")
        print(f"   schemathesis: {fuzz_seconds:.0f} giây; cả lượt: {time.monotonic() - started:.0f} giây")
        if result.returncode != 0:
            print(
                f"   KHÔNG ĐẠT (schemathesis mã {result.returncode}); nhật ký máy chủ: {folder / 'server.log'}"
            )
        else:
            print("   ĐẠT: không lỗi máy chủ, không sai lệch với schema")
        return result.returncode
    finally:
        if server is not None:
            stop(server)
        if options.keep:
            print(f"   thư mục giữ lại: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
