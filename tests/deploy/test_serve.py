"""`coso serve` as a deployment runs it: DEBUG off, gunicorn and the task worker, static files by WhiteNoise
(hashed names cached for a year, gzip), uploads never under /media/, a clean stop of both on SIGTERM; and
`coso check --deploy` clean with production settings."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PRODUCTION = {
    "COSO_DEBUG": "0",
    "COSO_SECRET_KEY": secrets.token_urlsafe(50),
    "COSO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "COSO_WEB_WORKERS": "1",
    "COSO_WEB_THREADS": "2",
}


def coso(*args: str, env: dict[str, str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coso.cli", *args], env=env, capture_output=True, text=True, timeout=300, **kw
    )


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COSO_", "DATABASE_URL", "DJANGO_"))}
    env.update(PRODUCTION, COSO_VAR_DIR=str(tmp_path), **extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = next((line.split()[1] for line in text.splitlines() if line.startswith("PPid:")), "")
        if ppid == str(pid):
            found.append(int(status.parent.name))
    return found


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    r = coso("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNINGS" not in r.stdout + r.stderr and "no issues" in r.stdout


def test_serve_refuses_an_unmigrated_database_clearly(tmp_path):
    r = coso(
        "serve", "--bind", f"127.0.0.1:{free_port()}", env=production_env(tmp_path, COSO_SSL_REDIRECT="0")
    )
    assert r.returncode != 0
    assert "coso migrate" in r.stderr and "Traceback" not in r.stderr


def test_serve_serves_the_app_and_static_files_with_debug_off_then_stops_cleanly(tmp_path):
    env = production_env(tmp_path, COSO_SSL_REDIRECT="0")
    assert coso("migrate", "--noinput", "-v0", env=env).returncode == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "coso.cli", "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _headers, page = get(base + "/login/")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "coso serve did not answer within 90 s"
                time.sleep(0.3)
        assert status == 200
        html = page.decode()
        assert "Đăng nhập" in html
        css = next(
            part.split('"')[0] for part in html.split('href="')[1:] if part.startswith("/static/coso/coso.")
        )
        assert css != "/static/coso/coso.css", "production pages link static files under hashed names"
        status, headers, body = get(base + css, **{"Accept-Encoding": "gzip"})
        assert status == 200 and body
        assert "immutable" in headers["Cache-Control"] and headers.get("Content-Encoding") == "gzip"
        assert get(base + "/static/coso/coso.css")[0] == 200
        assert get(base + "/media/decisions/2025/x.pdf")[0] == 404
        kinds = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children_of(server.pid)]
        assert any(b"gunicorn" in k for k in kinds) and any(b"db_worker" in k for k in kinds), kinds
        assert all(b"--no-reload" in k for k in kinds if b"db_worker" in k)
    finally:
        pids = children_of(server.pid)
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert code == 0
    time.sleep(0.5)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()], "a child of coso serve outlived it"


def test_a_restart_with_the_same_static_files_does_not_collect_them_again(tmp_path, settings, monkeypatch):
    # compressing the static files takes tens of seconds: a restart (systemd after a crash) should not wait
    from coso.core.management.commands import serve

    source = tmp_path / "assets"
    (source / "coso").mkdir(parents=True)
    page_css = source / "coso" / "extra.css"
    page_css.write_text("body { color: black }")
    settings.STATICFILES_DIRS = [str(source)]
    settings.STATIC_ROOT = str(tmp_path / "static")
    runs: list[str] = []
    monkeypatch.setattr(serve, "call_command", lambda name, **kw: runs.append(name))
    serve.collect_static()
    serve.collect_static()
    assert runs == ["collectstatic"]
    page_css.write_text("body { color: navy }")  # an upgrade changed a file
    os.utime(page_css, ns=(time.time_ns(), time.time_ns() + 10**9))
    serve.collect_static()
    assert runs == ["collectstatic", "collectstatic"]
