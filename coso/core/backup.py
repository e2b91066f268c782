"""`coso backup FILE` / `coso restore FILE`: the whole of Coso's data in one file, taken while the app runs.

The file is a tar archive holding `manifest.json` (database vendor, time taken, and for every table its row count
and a hash of its rows), the database (SQLite: a copy made with SQLite's online backup API, consistent while others
write; PostgreSQL: `pg_dump --format=custom`, one consistent snapshot) and `media/` (uploaded files). A restore
replaces the database and the uploads with the file's, then checks every table against the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message that says what to do."""


def table_digests(conn: Any = None) -> dict[str, dict[str, Any]]:
    """Every table of the database (`conn`, default Django's default connection): {"rows": n, "sha256": hash of
    its rows in primary-key order}."""
    conn = conn or connection
    out: dict[str, dict[str, Any]] = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)} ORDER BY 1")  # noqa: S608 - from the catalogue
            digest = hashlib.sha256()
            rows = 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(_plain(v) for v in row)).encode())
                rows += 1
            out[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return out


def _plain(value: Any) -> Any:
    """A column value as both databases give it back (SQLite keeps dates and decimals as text)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _db() -> dict[str, Any]:
    return connections["default"].settings_dict


def _pg_env() -> dict[str, str]:
    db = _db()
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args() -> list[str]:
    db = _db()
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            f"Không tìm thấy lệnh {command[0]} trên máy chủ; hãy cài gói postgresql-client cùng phiên bản máy chủ."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} báo lỗi: {done.stderr.strip()[:500]}")


def backup(target: Path) -> dict[str, Any]:
    """Write the backup file; returns its manifest."""
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if vendor == "sqlite":
            source = sqlite3.connect(str(_db()["NAME"]))
            copy = sqlite3.connect(str(work / "database.sqlite3"))
            with copy:
                source.backup(copy)
            copy.close()
            source.close()
            database = "database.sqlite3"
        elif vendor == "postgresql":
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(work / "database.dump"),
                    *_pg_args(),
                ]
            )
            database = "database.dump"
        else:
            raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor}.")
        manifest = {
            "format": FORMAT,
            "vendor": vendor,
            "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": database,
            "tables": _digests_of(work / database) if vendor == "sqlite" else table_digests(),
        }
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".dang-ghi")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / database, arcname=database)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname="media")
        partial.replace(target)  # a backup cut short never takes the place of a whole one
    return manifest


def _digests_of(sqlite_file: Path) -> dict[str, dict[str, Any]]:
    """The digests of a SQLite copy, read through Django's own connection code (same value forms as the app's)."""
    alias = "coso-backup-copy"
    connections.databases[alias] = {**_db(), "NAME": str(sqlite_file)}
    try:
        return table_digests(connections[alias])
    finally:
        connections[alias].close()
        del connections.databases[alias]


def restore(source: Path) -> dict[str, Any]:
    """Replace the database and the uploads with those of the backup file, then check every table."""
    if not source.exists():
        raise BackupError(f"Không có tệp {source}.")
    try:
        tar = tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError):
        raise BackupError(f"Tệp {source} không phải tệp sao lưu của Coso.") from None
    with tar, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        except (KeyError, ValueError):
            raise BackupError(
                f"Tệp {source} không có bảng kê (manifest.json): không phải tệp sao lưu của Coso."
            ) from None
        vendor = connection.vendor
        if manifest.get("vendor") != vendor:
            raise BackupError(
                f"Tệp sao lưu được tạo từ cơ sở dữ liệu {manifest.get('vendor')}, còn máy này dùng {vendor}; "
                "hãy phục hồi vào cùng loại cơ sở dữ liệu."
            )
        tar.extractall(work, filter="data")
        connections.close_all()
        if vendor == "sqlite":
            target = Path(str(_db()["NAME"]))
            restored = sqlite3.connect(str(work / manifest["database"]))
            live = sqlite3.connect(str(target))
            with live:
                restored.backup(live)
            live.close()
            restored.close()
        else:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *_pg_args(),
                    str(work / manifest["database"]),
                ]
            )
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        if (work / "media").exists():
            shutil.copytree(work / "media", media)
    found = table_digests()
    wrong = sorted(t for t, d in manifest["tables"].items() if found.get(t) != d)
    if wrong:
        raise BackupError("Sau khi phục hồi, các bảng sau không khớp với tệp sao lưu: " + ", ".join(wrong))
    return manifest
