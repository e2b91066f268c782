"""The transfer letter opens as a Word document and carries what the receiving side checks."""

import datetime as dt
import io

from docx import Document

from coso.members import services as m
from coso.members.letters import transfer_letter
from tests.members.test_services import admit

D = dt.date


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += [p.text for p in cell.paragraphs]
    return "\n".join(parts)


def test_letter_of_an_official_member(tree):
    a = admit(tree["C1"], joined=D(2020, 3, 1))
    m.recognise(None, a, on=D(2021, 3, 1))
    a.refresh_from_db()
    a.card_number, a.vitae_number = "79.012345", "LL-0456"
    a.save()
    t = m.issue_transfer(
        None,
        a,
        m.TransferInput(
            kind="official",
            left_on=D(2023, 6, 1),
            to_org=tree["C2"],
            letter_number="45",
            dues_paid_to=D(2023, 5, 1),
        ),
    )
    text = _text(transfer_letter(t, place="An Lạc"))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG" in text
    assert "ĐẢNG BỘ XÃ AN LẠC" in text and "Số 45-GGT" in text
    assert "An Lạc, ngày 01 tháng 06 năm 2023" in text
    assert "Nguyễn Văn An" in text and "10/05/1990" in text
    assert "79.012345" in text and "LL-0456" in text
    assert "đảng viên chính thức" in text and "01/03/2020" in text and "01/03/2021" in text
    assert "Chi bộ thôn Đông" in text and "Chi bộ thôn Tây" in text
    assert "đã đóng đảng phí đến hết tháng 05/2023" in text
    assert "trong vòng 30 ngày" in text and "01/07/2023" in text


def test_letter_of_a_probationary_member_to_outside(tree):
    a = admit(tree["C1"], joined=D(2023, 1, 1))
    t = m.issue_transfer(
        None,
        a,
        m.TransferInput(
            kind="temporary",
            left_on=D(2023, 6, 1),
            to_outside="Đảng bộ Trường Đại học Vinh",
            return_due=D(2024, 6, 1),
        ),
    )
    text = _text(transfer_letter(t))
    assert "đảng viên dự bị" in text and "Đảng bộ Trường Đại học Vinh" in text and "01/06/2024" in text
