"""Finding 6 of issue 14: attachment uploads.

- The size cap holds before the body is read: a request that declares 120 MB is refused with
  413 without one byte of its body read, and a body whose file outgrows the cap while it streams
  is cut off there. Nothing is stored either way.
- Only the rewritten file is kept: images re-encoded by Pillow, PDFs rebuilt page by page by
  pypdf, so a polyglot (a PDF or JPEG with an executable after it) loses its payload or is
  refused, and metadata, scripts and embedded files are gone."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from reportlab.pdfgen import canvas

from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.models import AuditEntry
from shuangsuiji.core.uploads import MULTIPART_ALLOWANCE
from shuangsuiji.draw.tests.conftest import full_draw, ready  # noqa: F401  (fixture)
from shuangsuiji.inspection import services
from shuangsuiji.inspection.models import Attachment
from shuangsuiji.inspection.tests.test_services import drawn  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(drawn):  # noqa: F811  (the imported fixture)
    """Task A drawn and teamed; a_inspector is on the team of w.sel (inspection test_services)."""
    return drawn


MB = 1024 * 1024
# What an attacker appends: an ELF header and a PE (MZ) header with a marker that is easy to find.
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"ELF-PAYLOAD-3f9a" * 64
MZ = b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode." + b"MZ-PAYLOAD-77c1" * 64
BOUNDARY = "UpLoAdBoUnDaRy"


class GeneratedInput:
    """A wsgi.input that makes its body as it is read (head, filler, tail) and counts what was
    read, so that a test can say 120 MB without holding 120 MB."""

    def __init__(self, head: bytes, total: int, tail: bytes = b""):
        self.head, self.tail, self.total, self.pos = head, tail, total, 0

    def _byte_at(self, i: int, n: int) -> bytes:
        head_end, tail_start = len(self.head), self.total - len(self.tail)
        out = bytearray()
        while n > 0 and i < self.total:
            if i < head_end:
                piece = self.head[i : i + n]
            elif i < tail_start:
                piece = b"\xaa" * min(n, tail_start - i)
            else:
                piece = self.tail[i - tail_start : i - tail_start + n]
            out += piece
            i += len(piece)
            n -= len(piece)
        return bytes(out)

    def read(self, size=-1):
        n = self.total - self.pos if size is None or size < 0 else size
        data = self._byte_at(self.pos, n)
        self.pos += len(data)
        return data

    def readline(self, size=-1):
        rest = self._byte_at(self.pos, 64 * 1024 if size is None or size < 0 else size)
        line = rest.split(b"\n", 1)[0] + (b"\n" if b"\n" in rest else b"")
        self.pos += len(line)
        return line


def _multipart(filename: str, total: int, content_type="image/jpeg") -> GeneratedInput:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="action"\r\n\r\nattach\r\n'
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode() + b"\xff\xd8\xff\xe0"
    return GeneratedInput(head, total, f"\r\n--{BOUNDARY}--\r\n".encode())


def _post_body(client, url, body: GeneratedInput, declared: int | None = None):
    return client.generic(
        "POST",
        url,
        data=b"-",  # replaced below: the generated body and its declared length
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.total if declared is None else declared)},
    )


def _stored_files(settings) -> list[str]:
    # files live in the database (core/storage.py); inspections/ is Attachment.file's upload_to
    from shuangsuiji.core.models import StoredFile

    return list(StoredFile.objects.filter(name__startswith="inspections/").values_list("name", flat=True))


def _target_url(sel) -> str:
    return f"/inspection/s/{sel.pk}/"


def _jpeg(size=(64, 48), color=(200, 30, 30), exif=None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90, exif=exif or Image.Exif())
    return out.getvalue()


def _png(size=(32, 20)) -> bytes:
    out = io.BytesIO()
    im = Image.new("RGBA", size, (10, 120, 200, 255))
    im.putpixel((0, 0), (255, 0, 0, 128))
    im.save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "Inspection record 2026-04-15")
    c.showPage()
    c.save()
    return out.getvalue()


def _add(w, name: str, data: bytes) -> Attachment:
    return services.attachment_add(
        actor=w.a_inspector, selection=w.sel, upload=SimpleUploadedFile(name, data)
    )


def _stored(a: Attachment) -> bytes:
    with a.file.open("rb") as f:
        return f.read()


# ---- the size cap, before the body is read ---------------------------------------------------


def test_a_declared_120_mb_attachment_is_refused_before_its_body_is_read(w, client_for, settings):
    c = client_for(w.a_inspector)
    audit_before = AuditEntry.objects.count()
    body = _multipart("现场.jpg", 120 * MB)
    r = _post_body(c, _target_url(w.sel), body)
    assert r.status_code == 413
    assert "附件过大：上限 10 MB，本次约 120 MB" in r.content.decode()
    assert body.pos == 0  # not one byte of the body was read
    assert not Attachment.objects.exists() and not _stored_files(settings)
    assert AuditEntry.objects.count() == audit_before


def test_a_file_that_outgrows_the_cap_while_streaming_is_cut_off(w, client_for, settings):
    """The declared length passes (it is within the cap plus the room for the form's fields), but
    the file itself is larger than the cap: the counting handler stops the parse at the cap."""
    settings.ATTACHMENT_MAX_BYTES = 64 * 1024
    c = client_for(w.a_inspector)
    total = settings.ATTACHMENT_MAX_BYTES + MULTIPART_ALLOWANCE - 1024
    body = _multipart("现场.jpg", total)
    r = _post_body(c, _target_url(w.sel), body)
    assert r.status_code == 413
    assert "附件过大：上限 0.1 MB" in r.content.decode()
    # Stopped within a read or two past the cap, long before the end of the body.
    assert body.pos < settings.ATTACHMENT_MAX_BYTES + 2 * 64 * 1024 < total
    assert not Attachment.objects.exists() and not _stored_files(settings)


def test_any_other_page_takes_a_form_worth_only(w, client_for, settings):
    """A URL not in the table of uploads (here the target's printable notice) refuses a large
    body at the form cap, and the API answers in JSON."""
    c = client_for(w.a_inspector)
    body = _multipart("x.jpg", 3 * MB)
    r = _post_body(c, f"/inspection/s/{w.sel.pk}/notice/", body)
    assert r.status_code == 413 and "提交的内容过大：上限 2.5 MB" in r.content.decode()
    assert body.pos == 0
    body = GeneratedInput(b"{", 3 * MB, b"}")
    r = c.generic(
        "POST",
        "/api/v1/directory/targets",
        data=b"-",
        content_type="application/json",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.total)},
    )
    assert r.status_code == 413 and "提交的内容过大" in r.json()["detail"]
    assert body.pos == 0


# ---- only the rewritten file is kept ---------------------------------------------------------


@pytest.mark.parametrize("payload", [ELF, MZ], ids=["elf", "mz"])
def test_a_pdf_header_in_front_of_an_executable_is_refused(w, settings, payload):
    with pytest.raises(DomainError, match="附件“记录.pdf”无法作为 PDF 打开") as e:
        _add(w, "记录.pdf", b"%PDF-1.7\n" + payload)
    assert e.value.field == "file"
    assert not Attachment.objects.exists() and not _stored_files(settings)


def test_a_real_pdf_with_a_payload_after_its_end_is_stored_without_the_payload(w):
    pdf = _pdf()
    a = _add(w, "记录.pdf", pdf + ELF + MZ)
    stored = _stored(a)
    assert b"ELF-PAYLOAD" not in stored and b"MZ-PAYLOAD" not in stored and b"\x7fELF" not in stored
    assert a.size == len(stored)
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 1
    assert "Inspection record 2026-04-15" in reader.pages[0].extract_text()


def test_a_payload_with_an_end_marker_of_its_own_is_refused_or_dropped(w, settings):
    """A payload that ends in its own %%EOF hides the real cross-reference table: either pypdf
    cannot read the file (refused) or it rebuilds it; the payload is never stored."""
    try:
        a = _add(w, "记录.pdf", _pdf() + ELF + b"\n%%EOF\n" + MZ)
    except DomainError as e:
        assert "附件“记录.pdf”无法作为 PDF 打开" in e.message
        assert not _stored_files(settings)
    else:
        stored = _stored(a)
        assert b"ELF-PAYLOAD" not in stored and b"MZ-PAYLOAD" not in stored


def test_scripts_and_embedded_files_do_not_survive_the_rewrite(w):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.add_open_action(JavaScript("app.alert('pwned');"))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(2);")}
    )
    writer.add_attachment("setup.exe", MZ)
    writer.add_uri(0, "https://example.invalid/", [72, 72, 200, 100])
    raw = io.BytesIO()
    writer.write(raw)
    assert b"/JavaScript" in raw.getvalue() and b"/OpenAction" in raw.getvalue()  # the test file has them
    stored = _stored(_add(w, "记录.pdf", raw.getvalue()))
    reader = PdfReader(io.BytesIO(stored))
    root = reader.trailer["/Root"]
    assert "/Names" not in root and "/OpenAction" not in root and "/AcroForm" not in root
    assert reader.attachments == {}
    assert "/Annots" not in reader.pages[0] and "/AA" not in reader.pages[0]
    assert b"/JavaScript" not in stored and b"/JS" not in stored and b"MZ-PAYLOAD" not in stored


def test_a_jpeg_with_a_trailing_payload_is_stored_re_encoded(w):
    original = _jpeg()
    a = _add(w, "现场.jpg", original + MZ + ELF)
    stored = _stored(a)
    assert stored != original and b"MZ-PAYLOAD" not in stored and b"ELF-PAYLOAD" not in stored
    with Image.open(io.BytesIO(stored)) as im:
        assert im.format == "JPEG" and im.size == (64, 48)
        r, g, b = im.convert("RGB").getpixel((32, 24))
        assert r > 180 and g < 60 and b < 60
    assert a.size == len(stored) and a.content_type == ".jpg"


def test_exif_is_dropped_and_its_orientation_applied(w):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "ACME-PHONE"  # Make
    exif[0x8825] = {2: (38.0, 54.0, 0.0), 4: (114.0, 30.0, 0.0)}  # GPS: where the inspector stood
    stored = _stored(_add(w, "现场.jpeg", _jpeg(size=(60, 20), exif=exif)))
    assert b"Exif" not in stored and b"ACME-PHONE" not in stored
    with Image.open(io.BytesIO(stored)) as im:
        assert im.size == (20, 60)
        assert not im.getexif()


def test_a_png_is_stored_re_encoded_and_keeps_its_pixels(w):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "MZ-PAYLOAD-in-a-text-chunk")
    out = io.BytesIO()
    Image.open(io.BytesIO(_png())).save(out, "PNG", pnginfo=info)
    stored = _stored(_add(w, "现场.png", out.getvalue() + ELF))
    assert b"MZ-PAYLOAD" not in stored and b"ELF-PAYLOAD" not in stored
    with Image.open(io.BytesIO(stored)) as im:
        assert im.format == "PNG" and im.size == (32, 20) and im.mode == "RGBA"
        assert im.getpixel((0, 0)) == (255, 0, 0, 128) and im.getpixel((5, 5)) == (10, 120, 200, 255)
        assert "Comment" not in im.info


def test_a_decompression_bomb_is_refused_from_its_header(w, settings):
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # a few KB on disk, 64 megapixels decoded
    assert len(out.getvalue()) < 100 * 1024
    with pytest.raises(DomainError, match="附件“炸弹.png”像素过多（8000×8000）"):
        _add(w, "炸弹.png", out.getvalue())
    assert not _stored_files(settings)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("假照片.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64, "附件“假照片.jpg”无法作为照片（JPEG）打开"),
        ("假照片.jpg", b"GIF89a" + b"\x00" * 32, "附件“假照片.jpg”无法作为照片（JPEG）打开"),
        ("换了名字.jpg", _png(), "附件“换了名字.jpg”无法作为照片（JPEG）打开"),
        ("假图.png", b"\x89PNG\r\n\x1a\n" + MZ, "附件“假图.png”无法作为图片（PNG）打开"),
        ("病毒.exe", MZ, "附件只能是照片（.jpg、.png）或 PDF 文件"),
    ],
)
def test_what_cannot_be_parsed_is_refused_naming_the_file(w, settings, name, data, message):
    with pytest.raises(DomainError, match=message.replace("（", r"\（").replace("）", r"\）")):
        _add(w, name, data)
    assert not Attachment.objects.exists() and not _stored_files(settings)


def test_a_real_png_and_pdf_upload_through_the_page_and_open(w, client_for):
    c = client_for(w.a_inspector)
    url = _target_url(w.sel)
    for name, data in [("现场.png", _png()), ("检查记录.pdf", _pdf())]:
        r = c.post(url, {"action": "attach", "file": SimpleUploadedFile(name, data)}, follow=True)
        assert r.status_code == 200 and "附件已上传" in r.content.decode()
    png, pdf = Attachment.objects.order_by("pk")
    with Image.open(io.BytesIO(_stored(png))) as im:
        im.load()
        assert im.size == (32, 20)
    assert len(PdfReader(io.BytesIO(_stored(pdf))).pages) == 1
    # A polyglot through the page: refused with the field's message, nothing stored.
    r = c.post(
        url,
        {"action": "attach", "file": SimpleUploadedFile("记录.pdf", b"%PDF-1.4\n" + ELF)},
        follow=True,
    )
    assert "附件“记录.pdf”无法作为 PDF 打开" in r.content.decode()
    assert Attachment.objects.count() == 2


def test_a_phone_mpo_photo_is_stored_as_its_first_picture(w):
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 255, 0)).save(
        out, "MPO", save_all=True, append_images=[Image.new("RGB", (8, 8))]
    )
    stored = _stored(_add(w, "手机.jpg", out.getvalue() + MZ))
    assert b"MZ-PAYLOAD" not in stored
    with Image.open(io.BytesIO(stored)) as im:
        assert im.format == "JPEG" and im.size == (16, 16) and getattr(im, "n_frames", 1) == 1


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner-pw", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_encrypted_pdf_is_refused_unless_it_opens_without_a_password(w, settings):
    with pytest.raises(DomainError, match="附件“加密.pdf”已加密，未保存"):
        _add(w, "加密.pdf", _encrypted("open-sesame"))
    assert not _stored_files(settings)
    # A permissions password only (opens for anyone): stored, rewritten without the encryption.
    reader = PdfReader(io.BytesIO(_stored(_add(w, "只限打印.pdf", _encrypted("")))))
    assert not reader.is_encrypted and len(reader.pages) == 1
