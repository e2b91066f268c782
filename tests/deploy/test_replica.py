"""Reports read from a read replica when DATABASE_REPLICA_URL is set; writes stay on the primary. Two databases on
this machine stand for the primary and its replica: the replica is a copy taken before an import, so what a
command reads shows which database it read."""

from __future__ import annotations

import json
import shutil

from tests.deploy.test_serve import coso, production_env
from tests.orgs.test_import import DISTRICT, xlsx


def structure(env: dict[str, str]) -> dict:
    r = coso("report", "structure", "--org", "H", "--as-of", "2013-01-01", "--json", env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_reports_read_the_replica_and_writes_go_to_the_primary(tmp_path):
    env = production_env(tmp_path, COSO_SSL_REDIRECT="0")
    assert coso("migrate", "--noinput", "-v0", env=env).returncode == 0
    replica = tmp_path / "replica.sqlite3"
    shutil.copy(tmp_path / "coso.sqlite3", replica)  # the replica, before the import reached it
    book = tmp_path / "to-chuc.xlsx"
    book.write_bytes(xlsx(DISTRICT).getvalue())
    with_replica = {**env, "DATABASE_REPLICA_URL": f"sqlite:///{replica}"}
    r = coso("import", "orgs", str(book), env=with_replica)
    assert r.returncode == 0, r.stderr
    # the import (a write) went to the primary, the report read the replica, which has not caught up
    assert structure(env)["exists"] is True and structure(env)["grassroots_total"] == 3
    behind = coso("report", "structure", "--org", "H", "--as-of", "2013-01-01", "--json", env=with_replica)
    assert behind.returncode != 0 and "Không tìm thấy tổ chức có mã “H”" in behind.stderr
    # once the replica has the rows, the report reads them there
    shutil.copy(tmp_path / "coso.sqlite3", replica)
    assert structure(with_replica)["grassroots_total"] == 3
