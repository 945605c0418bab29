"""Reading a table (CSV or Excel) that someone else wrote, within limits, for the market and
organisation files (sim/configuration/market_file.py, sim/configuration/org_file.py).

The file is read once, read-only, into memory (at most :data:`MAX_BYTES`; an .xlsx that would
unpack to more than :data:`MAX_UNPACKED` is refused before it is opened), so the checksum recorded
in the run's provenance is of exactly what was parsed. A CSV must be UTF-8; an .xlsx is read with
openpyxl with cached values only (a formula counts as its last saved value — nothing is
evaluated). Every problem is a :class:`TableFileError` whose ``str()`` is one line naming the
file and what is allowed.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

MAX_BYTES = 10 << 20  # a market of 20 000 accounts in CSV is ~2 MiB
MAX_UNPACKED = 100 << 20  # an .xlsx is a zip: refuse one that unpacks to more (a zip bomb)
MAX_READ_ROWS = 20_002  # rows read from a sheet: the largest table plus its header, and one more
MAX_TEXT = 1_000  # characters in one cell
SUFFIXES = (".csv", ".xlsx")


class TableFileError(ValueError):
    """A table file that cannot be used; ``str()`` is the one line shown to the user."""


def file_stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except OSError as error:
        raise TableFileError(f"{path}: cannot read it ({error.strerror or error}); allowed: an "
                             "existing .csv or .xlsx file") from None


def check_path(path: Path, name: str, size: int) -> str:
    """The file's suffix (.csv or .xlsx) once it is a file of an allowed type and size."""
    if not path.is_file():
        raise TableFileError(f"{name}: not a file; allowed: a .csv or .xlsx file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TableFileError(f"{name}: unsupported file type {path.suffix or '(none)'!r}; "
                             "allowed: .csv (UTF-8) or .xlsx (Excel 2007 or later)")
    if size > MAX_BYTES:
        raise TableFileError(f"{name}: {size / 2**20:.1f} MiB; allowed: at most "
                             f"{MAX_BYTES >> 20} MiB")
    return suffix


def read_bytes(path: Path, name: str, size: int) -> bytes:
    with path.open("rb") as f:  # read-only, once: the checksum is of what was parsed
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:  # grew since it was measured
        raise TableFileError(f"{name}: larger than {MAX_BYTES >> 20} MiB; allowed: at most "
                             f"{MAX_BYTES >> 20} MiB")
    return raw


def read_table(name: str, size: int, sheet: str) -> tuple[list[list], bytes]:
    """The rows of the file ``name`` (``size`` bytes when measured) and the bytes they were
    parsed from (for the checksum): type and size checked, read once, nothing evaluated."""
    path = Path(name)
    suffix = check_path(path, name, size)
    raw = read_bytes(path, name, size)
    return table_rows(raw, name, suffix, sheet), raw


def table_rows(raw: bytes, name: str, suffix: str, sheet: str) -> list[list]:
    """The rows of a CSV, or of the sheet named ``sheet`` (else the first) of an .xlsx."""
    return _csv_rows(raw, name) if suffix == ".csv" else _xlsx_rows(raw, name, sheet)


def _csv_rows(raw: bytes, name: str) -> list[list]:
    if b"\x00" in raw[:4096]:
        hint = " (UTF-16?)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise TableFileError(f"{name}: not a text table{hint}; allowed: comma-separated text "
                             "in UTF-8 (Excel: 'CSV UTF-8') or an .xlsx workbook")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableFileError(f"{name}: not UTF-8 (byte 0x{raw[error.start]:02x} at position "
                             f"{error.start}); allowed: UTF-8 text (Excel: save as 'CSV "
                             "UTF-8') or an .xlsx workbook") from None
    try:
        # the header alone: a ';' inside the links column must not look like a delimiter
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as error:
        raise TableFileError(f"{name}: not a readable table ({error}); allowed: one header "
                             "row, then one row per entry") from None


def _xlsx_rows(raw: bytes, name: str, sheet: str) -> list[list]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile:
        raise TableFileError(f"{name}: not an Excel workbook (.xlsx is a zip archive; this is "
                             "not one); allowed: an .xlsx saved by Excel or LibreOffice, or a "
                             ".csv") from None
    if unpacked > MAX_UNPACKED:
        raise TableFileError(f"{name}: unpacks to {unpacked / 2**20:.0f} MiB; allowed: at "
                             f"most {MAX_UNPACKED >> 20} MiB")
    import openpyxl  # only when an .xlsx is read

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise TableFileError(f"{name}: not a readable Excel workbook ({type(error).__name__}); "
                             "allowed: an .xlsx saved by Excel or LibreOffice") from None
    try:
        chosen = book[sheet] if sheet in book.sheetnames else book.worksheets[0]
        rows = [list(r) for _, r in zip(range(MAX_READ_ROWS), chosen.iter_rows(values_only=True),
                                       strict=False)]
    finally:
        book.close()
    if not any(any(v not in (None, "") for v in r) for r in rows):
        raise TableFileError(f"{name}: sheet {chosen.title!r} is empty; allowed: a header row "
                             "naming the columns, then one row per entry")
    return rows


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def chosen_path(group: str, reads_file: bool, path: str, what: str, example: str) -> Path | None:
    """The absolute path of the file ``group`` reads (``market`` or ``staffing``; absolute so
    worker processes read the same file), or None when it reads none. A path without
    ``<group>=file``, or ``<group>=file`` without a path, is a ConfigError naming the setting."""
    from sim.configuration.schema import ConfigError

    if not reads_file:
        if path:
            raise ConfigError(f"{group}.path", f"a file is read only with {group}=file "
                              f"({group}.source=file); allowed: empty")
        return None
    if not path:
        raise ConfigError(f"{group}.path", f"needs a value with {group}=file: {what} as a .csv "
                          f"or .xlsx file ({example})")
    return Path(path).absolute()
