"""`coso report members`: one JSON object with the contract's keys, or a readable Vietnamese table."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coso.members import services as m
from tests.members.test_services import admit

D = dt.date

CONTRACT = {
    "org",
    "as_of",
    "total",
    "official",
    "probationary",
    "by_gender",
    "by_age_band",
    "by_ethnicity",
    "by_theory_level",
}


def run(*args: str, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def people(tree):
    a = admit(tree["C1"], joined=D(2020, 3, 1), profile=m.Profile(theory_level="trung_cap"))
    admit(
        tree["C2"],
        name="Trần Thị Bình",
        joined=D(2020, 4, 1),
        birth=D(1960, 1, 1),
        over_60_approval="Công văn 45-CV/TU",
    )
    m.recognise(None, a, on=D(2021, 3, 1))
    return tree


def test_json_has_the_contract_keys(people):
    text = run("report", "members", "--org", "X1", "--as-of", "2021-03-01", "--json")
    data = json.loads(text)
    assert CONTRACT <= set(data)
    assert data["org"] == "X1" and data["as_of"] == "2021-03-01"
    assert (data["total"], data["official"], data["probationary"]) == (2, 1, 1)
    assert data["by_gender"] == {"Nam": 2, "Nữ": 0}
    assert data["by_age_band"] == {"Dưới 30": 0, "30-40": 1, "41-50": 0, "51-60": 0, "Trên 60": 1}
    assert data["by_ethnicity"] == {"Kinh": 2}
    assert data["by_theory_level"]["Trung cấp"] == 1 and data["by_theory_level"]["Chưa qua đào tạo"] == 1
    assert data["movements"]["recognised"] == 1
    assert "Chưa qua đào tạo" in text  # ensure_ascii=False: real letters
    assert text.strip().count("\n") == 0  # one object


def test_from_and_keyword_options(people):
    data = json.loads(
        run("report", "members", org="x1", as_of="01/03/2021", period_from="2020-01-01", json=True)
    )
    assert data["from"] == "2020-01-01" and data["movements"]["admitted"] == 2
    data = json.loads(run("report", "members", "--org", "T", "--as-of", "2020-03-15", "--json"))
    assert (data["total"], data["probationary"]) == (1, 1)


def test_table_in_vietnamese(people):
    text = run("report", "members", "--org", "X1", "--as-of", "2021-03-01")
    assert "Thống kê đảng viên của Đảng bộ xã An Lạc (X1) tính đến ngày 01/03/2021" in text
    assert "Chính thức" in text and "Lý luận chính trị" in text and "Biến động từ 01/01/2021" in text


def test_bad_input_is_explained(people):
    with pytest.raises(CommandError, match="Không tìm thấy tổ chức"):
        run("report", "members", "--org", "KHONG", "--as-of", "2021-03-01")
    with pytest.raises(CommandError, match="--as-of"):
        run("report", "members", "--org", "X1", "--as-of", "31/02/2021")
    with pytest.raises(CommandError, match="--from"):
        run("report", "members", "--org", "X1", "--as-of", "2021-03-01", "--from", "2022-01-01")
