"""A throw-away copy of the demo database for the runs against `coso serve` (`make load`, `make fuzz`).

Building the demo (`coso migrate`, `coso load_demo`) takes one to three minutes; the runs only need a fresh copy
of it. `fresh_copy(var_dir, env, small=)` builds it once under bench/out/demo/ and copies it into `var_dir` (the
run's COSO_VAR_DIR) for each run, so a run's writes never reach the next one. The copy is kept under a key made
of every file under coso/ (code, migrations, demo data) and the demo's size: any change of the code builds it
again, so a run never measures yesterday's schema.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / "out" / "demo"
DB_NAME = "coso.sqlite3"


def code_key(small: bool) -> str:
    digest = hashlib.sha256(b"small" if small else b"full")
    for path in sorted((BASE_DIR / "coso").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(BASE_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def _run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "coso.cli", *args], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"`coso {' '.join(args)}` thất bại (mã {done.returncode}):\n{done.stderr[-3000:]}")


def fresh_copy(
    var_dir: Path, env: dict[str, str], *, small: bool, say: Callable[[str], None] = print
) -> Path:
    """The demo database copied into `var_dir` (built first when the code changed); returns its path. `env` is the
    run's environment (its DATABASE_URL must name `var_dir / coso.sqlite3`)."""
    key = code_key(small)
    cached = CACHE / f"{'small' if small else 'full'}-{key}.sqlite3"
    if not cached.is_file():
        say("đang tạo dữ liệu mẫu (lần đầu sau khi mã nguồn thay đổi; các lần sau dùng lại)")
        CACHE.mkdir(parents=True, exist_ok=True)
        for old in CACHE.glob(f"{'small' if small else 'full'}-*.sqlite3"):
            old.unlink()
        with tempfile.TemporaryDirectory(prefix="coso-demo-", dir=CACHE) as build:
            build_env = {
                **env,
                "COSO_VAR_DIR": build,
                "DATABASE_URL": f"sqlite:///{Path(build) / DB_NAME}",
            }
            _run(build_env, "migrate", "--noinput", "-v0")
            _run(build_env, "load_demo", *(["--small"] if small else []))
            # one file, no write-ahead log beside it, then moved into place whole (a run that stops half-way
            # leaves no half-built cache)
            with sqlite3.connect(Path(build) / DB_NAME) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("PRAGMA journal_mode=DELETE")
            conn.close()
            os.replace(Path(build) / DB_NAME, cached)
    else:
        say("dùng lại dữ liệu mẫu đã tạo")
    var_dir.mkdir(parents=True, exist_ok=True)
    target = var_dir / DB_NAME
    shutil.copyfile(cached, target)
    return target
