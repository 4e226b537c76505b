"""Uploaded bodies and files: how large a request may be at each URL (checked before the body is
read, and again while it streams), and the rewriting of every stored attachment so that only
what a well-kept library produced from it is kept (a polyglot's payload never survives).

The reverse proxy in front should hold the same caps per location; README, 安全 section."""

import io
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils.html import format_html

from .errors import DomainError

log = logging.getLogger(__name__)


class BodyKind(StrEnum):
    IMPORT = "import"
    ATTACHMENT = "attachment"
    FORM = "form"


# The one table of which URL takes which body (URL names; config/urls.py gives the prefixes).
# A route not named here takes a form's worth only, so a new upload page is refused until it is
# named here: the cap fails closed.
BODY_KINDS: dict[str, BodyKind] = {
    "directory:target_import": BodyKind.IMPORT,  # /directory/targets/import/
    "directory:inspector_import": BodyKind.IMPORT,  # /directory/inspectors/import/
    "directory:item_import": BodyKind.IMPORT,  # /directory/items/import/
    "inspection:target": BodyKind.ATTACHMENT,  # /inspection/s/<id>/ (action=attach)
}
# Room for the form's other fields and the multipart headers around the file.
MULTIPART_ALLOWANCE = 256 * 1024


def body_kind(path_info: str) -> BodyKind:
    try:
        match = resolve(path_info)
    except Resolver404:
        return BodyKind.FORM
    return BODY_KINDS.get(match.view_name, BodyKind.FORM)


def file_cap(kind: BodyKind) -> int:
    """The most file bytes one request may carry at a URL of this kind."""
    if kind == BodyKind.IMPORT:
        return settings.IMPORT_MAX_BYTES
    if kind == BodyKind.ATTACHMENT:
        return settings.ATTACHMENT_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def body_cap(kind: BodyKind) -> int:
    """The most bytes a whole request body may have at a URL of this kind."""
    if kind == BodyKind.FORM:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return file_cap(kind) + MULTIPART_ALLOWANCE


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".removesuffix(".0")


def too_large_message(kind: BodyKind, size: int | None = None) -> str:
    cap = file_cap(kind)
    got = f"，本次约 {_mb(size)} MB" if size else ""
    if kind == BodyKind.IMPORT:
        return f"导入文件过大：上限 {_mb(cap)} MB{got}。请拆分为几个文件分别导入。"
    if kind == BodyKind.ATTACHMENT:
        return f"附件过大：上限 {_mb(cap)} MB{got}。请压缩照片或拆分 PDF 后重新上传。"
    return f"提交的内容过大：上限 {_mb(cap)} MB{got}。"


class BodyTooLarge(MultiPartParserError):
    """Raised while the body streams in. A MultiPartParserError, so that Django marks the
    request's POST as unparsable and nothing reads the rest of it."""

    def __init__(self, kind: BodyKind, received: int):
        super().__init__(too_large_message(kind, received))
        self.kind, self.received = kind, received


class CapUploadHandler(FileUploadHandler):
    """First in the handler chain: counts the file bytes of the whole request as they arrive and
    stops at the cap, for a body whose Content-Length did not already say it was too large
    (a declared length only just under the cap, a server that passes chunked bodies on)."""

    def __init__(self, kind: BodyKind, request=None):
        super().__init__(request)
        self.kind, self.cap, self.received = kind, file_cap(kind), 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.cap:
            raise BodyTooLarge(self.kind, self.received)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file


def too_large_response(request, kind: BodyKind, size: int | None = None) -> HttpResponse:
    """413 with a Chinese message; a page of its own, as the request has not met the session yet."""
    message = too_large_message(kind, size)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(
        format_html(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>上传内容过大</title>'
            "</head><body><h1>上传内容过大</h1><p>{}</p>"
            '<p><a href="/">返回首页</a></p></body></html>',
            message,
        ),
        status=413,
        content_type="text/html; charset=utf-8",
    )


def declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body for a length it cannot parse


# ---- rewriting attachments --------------------------------------------------------------------

# Against decompression bombs: a phone's 50-megapixel photo passes; a PNG that declares
# 100 000 × 100 000 pixels is refused from its header, before anything is decoded.
MAX_PIXELS = 50_000_000
MAX_PDF_PAGES = 500
# What the page of a rewritten PDF keeps: annotations carry links, forms and actions (/A, /AA),
# none of which an inspection's scan needs.
PDF_PAGE_DROPPED = ("/Annots", "/AA", "/Metadata", "/PieceInfo", "/Thumb")

ATTACHMENT_TYPES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".pdf": "PDF"}


@dataclass
class Rewritten:
    content: ContentFile
    ext: str


def _refuse(label: str, name: str, what: str) -> DomainError:
    return DomainError(f"{label}“{name}”无法作为{what}打开，未保存：请上传真实的{what}文件", field="file")


def rewrite_image(data: bytes, *, fmt: str, name: str, label: str) -> bytes:
    """Decode the picture with Pillow and encode it anew: orientation applied, every metadata
    block (EXIF, XMP, comments, text chunks, ICC) and every byte after the image dropped."""
    from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

    what = "照片（JPEG）" if fmt == "JPEG" else "图片（PNG）"
    try:
        with Image.open(io.BytesIO(data)) as probe:
            # Phones write MPO (a JPEG with more pictures after it): its first picture is the photo.
            if probe.format != fmt and not (fmt == "JPEG" and probe.format == "MPO"):
                raise _refuse(label, name, what)
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError(
                    f"{label}“{name}”像素过多（{probe.width}×{probe.height}），上限 {MAX_PIXELS // 1_000_000} 百万像素：请缩小后重新上传",
                    field="file",
                )
            probe.verify()
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            icc = im.info.get("icc_profile")
            im = ImageOps.exif_transpose(im)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        log.info("attachment %r refused: %s", name, e)
        raise _refuse(label, name, what) from e
    if fmt == "JPEG" or im.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        im = im.convert("RGBA" if fmt == "PNG" and "A" in im.getbands() else "RGB")
    if icc:
        # Keep the colours, not the profile: convert to sRGB, whose profile needs no bytes.
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if im.mode in ("RGB", "RGBA"):
                im = ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode=im.mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels stay as they are
    # PNG's writer would copy a profile and text from .info; only transparency is pixel data.
    im.info = {k: v for k, v in im.info.items() if k == "transparency"}
    out = io.BytesIO()
    if fmt == "JPEG":
        im.save(out, "JPEG", quality=88, optimize=True)
    else:
        im.save(out, "PNG", optimize=True)
    return out.getvalue()


def rewrite_pdf(data: bytes, *, name: str, label: str) -> bytes:
    """Parse the PDF with pypdf and copy its pages into a new document: no catalog entries
    (OpenAction, JavaScript, embedded files, forms), no annotations or page actions, nothing
    after the end of the file."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    what = " PDF "  # spaced, as Latin words are in Chinese text
    if not data.startswith(b"%PDF-"):
        raise _refuse(label, name, what)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # only a permissions password, no opening one
            except PyPdfError:
                opened = False
            if not opened:
                raise DomainError(f"{label}“{name}”已加密，未保存：请去掉密码后重新上传", field="file")
        count = len(reader.pages)
        if count == 0:
            raise _refuse(label, name, what)
        if count > MAX_PDF_PAGES:
            raise DomainError(
                f"{label}“{name}”共 {count} 页，上限 {MAX_PDF_PAGES} 页：请拆分后重新上传", field="file"
            )
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page, excluded_keys=PDF_PAGE_DROPPED)
        out = io.BytesIO()
        writer.write(out)
    except DomainError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
        # pypdf raises plain Python errors for some malformed input; each means "not a PDF".
        log.info("attachment %r refused: %s", name, e)
        raise _refuse(label, name, what) from e
    return out.getvalue()


def rewrite_attachment(upload, *, label: str = "附件") -> Rewritten:
    """The stored form of an uploaded photo or PDF: only the rewritten output, never the bytes
    the client sent. Refuses, naming the field and the file, what the libraries cannot read."""
    name = Path(upload.name).name
    ext = Path(name).suffix.lower()
    fmt = ATTACHMENT_TYPES.get(ext)
    if fmt is None:
        raise DomainError(f"{label}只能是照片（.jpg、.png）或 PDF 文件", field="file")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(too_large_message(BodyKind.ATTACHMENT, upload.size), field="file")
    upload.seek(0)
    data = upload.read()
    if fmt == "PDF":
        out = rewrite_pdf(data, name=name, label=label)
    else:
        out = rewrite_image(data, fmt=fmt, name=name, label=label)
    return Rewritten(content=ContentFile(out, name=name), ext=ext)
