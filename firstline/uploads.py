"""Files people attach (a notice's PDF or photo, the file reporting an HQ task done).

One check for every upload, page or API: the type is read from the file's first bytes (its
magic number, by the `filetype` library), never from its name or the browser's Content-Type;
only PDF and common images pass; the size is capped by rule "uploads.max_bytes". The stored
name is chosen here (a random one with the extension of the type found), so a name typed by a
user never reaches the file system; the original name is kept for display only.
"""

import os
import secrets

import filetype
from django.utils.translation import gettext as _

from firstline.errors import InvalidInput
from firstline.rules import rule

# MIME type found in the content → extension the stored file gets.
ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
}


class Checked:
    """An upload that passed: the file (rewound), its type, size, a safe stored name and the
    name to show."""

    def __init__(self, file, content_type: str, size: int, stored_name: str, shown_name: str):
        self.file, self.content_type, self.size = file, content_type, size
        self.stored_name, self.shown_name = stored_name, shown_name


def upload_check(file, *, field: str = "file", on=None) -> Checked:
    """Check an uploaded file (Django UploadedFile or any file object with .size/.name).
    Raises InvalidInput (422) naming `field`: empty, too large, or not a PDF/image."""
    if file is None:
        raise InvalidInput("file_required", _("%(field)s: choose a file.") % {"field": field},
                           field=field)
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
    top = int(rule("uploads.max_bytes", on=on).value)
    if size == 0:
        raise InvalidInput("file_empty", _("%(field)s: the file is empty.") % {"field": field},
                           field=field)
    if size > top:
        raise InvalidInput("file_too_large",
                           _("%(field)s: the file is %(mb).1f MB; at most %(top).1f MB.")
                           % {"field": field, "mb": size / 1048576, "top": top / 1048576},
                           field=field, status=413)
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime not in ALLOWED:
        raise InvalidInput("bad_file_type",
                           _("%(field)s: only PDF or images (JPEG, PNG, GIF, WebP) can be "
                             "attached; this file's content is not one, whatever its name.")
                           % {"field": field}, field=field, status=415)
    shown = os.path.basename(str(getattr(file, "name", "") or "")).strip()[:100] \
        or f"file.{ALLOWED[mime]}"
    stored = f"{secrets.token_urlsafe(12)}.{ALLOWED[mime]}"
    return Checked(file, mime, size, stored, shown)
