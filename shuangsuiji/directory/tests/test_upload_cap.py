"""Finding 6 of issue 14, imports: the import pages take files up to SHUANGSUIJI_IMPORT_MAX_MB,
refused with 413 before the body is read when the request says it is larger; every other
directory page takes a form's worth only (core/uploads.py BODY_KINDS)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangsuiji.core.models import AuditEntry, Job
from shuangsuiji.core.uploads import MULTIPART_ALLOWANCE, BodyKind, body_kind
from shuangsuiji.inspection.tests.test_uploads import BOUNDARY, GeneratedInput

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
IMPORT_URLS = ["/directory/targets/import/", "/directory/inspectors/import/", "/directory/items/import/"]


def _declared(client, url, total: int) -> tuple:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="名录.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body = GeneratedInput(head, total, f"\r\n--{BOUNDARY}--\r\n".encode())
    r = client.generic(
        "POST",
        url,
        data=b"-",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(total)},
    )
    return r, body


def test_the_table_names_every_import_page():
    assert {body_kind(u) for u in IMPORT_URLS} == {BodyKind.IMPORT}
    assert body_kind("/directory/targets/new/") == BodyKind.FORM
    assert body_kind("/inspection/s/1/") == BodyKind.ATTACHMENT


@pytest.mark.parametrize("url", IMPORT_URLS)
def test_an_import_over_the_cap_is_refused_before_its_body_is_read(world, client_for, settings, url):
    c = client_for(world.a_admin)
    audit_before = AuditEntry.objects.count()
    r, body = _declared(c, url, 600 * MB)  # the default cap is 512 MB
    assert r.status_code == 413
    assert "导入文件过大：上限 512 MB，本次约 600 MB" in r.content.decode()
    assert body.pos == 0
    assert not Job.objects.exists() and AuditEntry.objects.count() == audit_before


def test_an_import_that_outgrows_the_cap_while_streaming_is_cut_off(world, client_for, settings):
    settings.IMPORT_MAX_BYTES = 128 * 1024
    c = client_for(world.a_admin)
    total = settings.IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE - 1024
    r, body = _declared(c, IMPORT_URLS[0], total)
    assert r.status_code == 413 and "导入文件过大" in r.content.decode()
    assert body.pos < total
    assert not Job.objects.exists()


def test_an_import_page_takes_a_file_larger_than_a_form(world, client_for, settings):
    """3 MB is over the cap of an ordinary page and well under the import cap: the import page
    takes it (the job is queued), a form page refuses the same body with 413."""
    c = client_for(world.a_admin)
    rows = "".join(f"91130100MA0{i:07d},企业{i},有限责任公司\n" for i in range(90_000)).encode()
    assert len(rows) > 3 * MB
    data = {
        "file": SimpleUploadedFile("名录.csv", rows),
        "mode": "create",
        "encoding": "utf-8",
        "template": "market",
    }
    r = c.post("/directory/targets/import/", data)
    assert r.status_code == 302, r.content.decode()[:500]
    assert Job.objects.count() == 1
    r = c.post("/directory/targets/new/", {"file": SimpleUploadedFile("名录.csv", rows)})
    assert r.status_code == 413 and "提交的内容过大：上限 2.5 MB" in r.content.decode()
    assert Job.objects.count() == 1
