"""Importing submissions: a folder per student, or an LMS export (Canvas, Moodle, Blackboard, a zip
of per-student folders), into ``grading/submitted/<student>/<assignment>/``.

Every name and path in a submission is data, never a place to follow:

* archive members with an absolute path, a ``..`` component or a symbolic link are refused, and so
  is a symbolic link anywhere in a submitted folder (its target is never read);
* student ids become a safe form (:func:`safe_student_id`: letters, digits, ``_ . -``, at most 40
  characters, never starting with ``- . _``); the LMS's own name and user id are kept beside it in
  ``grading/students.csv`` (stable: a student keeps the id given at the first import);
* a ``timestamp.txt`` must hold a date; it is rewritten in nbgrader's format, in UTC;
* a file that matches no LMS pattern is listed with the patterns expected; importing nothing is an
  error; a notebook that is not named ``<assignment>.ipynb`` is flagged, naming the student.

The submission time comes from the LMS where it gives one (Blackboard's file name, the time of
the file inside the LMS zip, read in ``CourseImport.lms_timezone`` of ``nbgrader_config.py``,
UTC by default), else it is the time of the import. Canvas's ``late`` marker, the LMS user id
and the file each submission came from are logged in ``grading/imports.csv``.

Nothing is deleted: an earlier submission is moved to ``grading/archive/<student>/<assignment>/``
before a new one replaces it, older Canvas resubmissions in the same export go there too, and
:func:`remove_submission` (``course remove``) moves a wrongly imported submission there.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .course import TIMESTAMP_FORMAT, _now
from .errors import CourseError, known_assignment

__all__ = [
    "LMS_PATTERNS",
    "ImportReport",
    "check_selection",
    "import_source",
    "import_submissions",
    "parse_timestamp",
    "read_timestamp",
    "remove_submission",
    "safe_student_id",
    "student_map",
]

MAX_ID = 40
MAX_MEMBER_BYTES = 100 * 2**20  #: a single file in an LMS zip larger than this is refused
STUDENTS_CSV = "students.csv"
IMPORTS_CSV = "imports.csv"

#: File names as LMS exports write them (named groups: ``student``, ``file``, and optionally
#: ``late``, ``user_id``, ``time``). More can be added with ``c.CourseImport.patterns = [...]``
#: in ``nbgrader_config.py`` (same groups); they are tried first.
LMS_PATTERNS = {
    # Canvas: "<sortable name>[_late]_<user id>_<submission id>_<file>", the file with "-N" when resubmitted
    "Canvas": r"^(?P<student>[^_/]+?)(?P<late>_late|_LATE)?_(?P<user_id>\d+)_(?P<submission>\d+)_(?P<file>[^/]+)$",
    # Moodle: "<Full Name>_<participant id>_assignsubmission_file_<file>"
    "Moodle": r"^(?P<student>[^/]+?)_(?P<user_id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>[^/]+)$",
    # Blackboard: "<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>[_<file>]"
    "Blackboard": r"^.+?_(?P<student>[^_/]+)_attempt_(?P<time>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:_(?P<file>[^/]+)|\.txt)?$",
}
#: Moodle's "download submissions in folders": a folder per student, "<Full Name>_<id>_assignsubmission_file_"
MOODLE_FOLDER = r"^(?P<student>[^/]+?)_(?P<user_id>\d+)_assignsubmission_(?:file|onlinetext)_$"


# ---- ids and timestamps -------------------------------------------------------------------

def _slug(raw: str) -> str:
    """The safe characters of ``raw``.

    >>> _slug("=SUM(A1)+1"), _slug("Jane Smith"), _slug("--../x[0]"), _slug("Zoë")
    ('SUM_A1_1', 'Jane_Smith', 'x_0', 'Zoe')
    """
    ascii_ = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", ascii_).strip("_.-").replace("..", "_")


def safe_student_id(raw: str, taken: dict[str, str] | None = None) -> str:
    """A student id nbgrader, file systems and spreadsheets all accept, for the LMS's id ``raw``.

    Letters, digits and ``_ . -`` (anything else becomes ``_``), not starting with ``- . _`` (so
    never a spreadsheet formula, a hidden file or a command-line option), at most 40 characters
    (a longer id keeps 31 and gets 8 hex digits of its SHA-256). ``taken`` maps ids already given
    to their raw ids: the same raw id gets the same id again, a different one that would collide
    gets the hash suffix. The result is stable: the mapping is kept in ``grading/students.csv``.

    >>> safe_student_id("jsmith"), safe_student_id("a+b=[c]"), safe_student_id("-rm")
    ('jsmith', 'a_b_c', 'rm')
    >>> import hashlib
    >>> long = safe_student_id("x" * 50)
    >>> len(long), long == "x" * 31 + "_" + hashlib.sha256(b"x" * 50).hexdigest()[:8]
    (40, True)
    >>> safe_student_id("a=b", taken={"a_b": "a+b"}) == "a_b_" + hashlib.sha256(b"a=b").hexdigest()[:8]
    True
    >>> safe_student_id("a+b", taken={"a_b": "a+b"})
    'a_b'
    """
    taken = taken or {}
    for existing, original in taken.items():
        if original == raw:
            return existing
    slug = _slug(raw) or "student"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    if len(slug) > MAX_ID:
        slug = f"{slug[:MAX_ID - 9]}_{digest}"
    if slug in taken and taken[slug] != raw:
        slug = f"{slug[:MAX_ID - 9]}_{digest}"
    return slug


def parse_timestamp(text: str) -> str:
    """A submission time in nbgrader's format (UTC); ``ValueError`` unless ``text`` is a date.

    A time without a zone is UTC; one with a zone is converted.

    >>> parse_timestamp("2026-03-01 12:00:00 UTC")
    '2026-03-01 12:00:00.000000 UTC'
    >>> parse_timestamp("2026-03-01T14:30:00+02:00")
    '2026-03-01 12:30:00.000000 UTC'
    >>> parse_timestamp("yesterday")
    Traceback (most recent call last):
    ValueError: not a date: 'yesterday' (expected e.g. 2026-03-01 12:00:00 UTC)
    """
    from dateutil import parser

    text = text.strip()
    problem = ValueError(f"not a date: {text[:60]!r} (expected e.g. 2026-03-01 12:00:00 UTC)")
    if not re.match(r"^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?)?( ?(UTC|Z|[+-]\d\d:?\d\d))?$", text):
        raise problem
    try:
        when = parser.isoparse(text.replace(" UTC", "").replace(" ", "T", 1).replace("T+", "+").replace("T-", "-"))
    except (ValueError, OverflowError):
        raise problem from None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.strftime(TIMESTAMP_FORMAT)


def read_timestamp(folder: str | os.PathLike) -> tuple[str | None, str]:
    """``(timestamp, problem)`` of a submitted folder's ``timestamp.txt`` for the grader.

    ``(None, "")`` without one; ``(None, "timestamp.txt ...: ignored")`` when it is not a date
    (a per-submission message: one bad file must never stop grading the class).
    """
    path = Path(folder) / "timestamp.txt"
    if not path.is_file() or path.is_symlink():
        return None, ""
    try:
        return parse_timestamp(path.read_text(errors="replace")[:200]), ""
    except ValueError as exc:
        return None, f"timestamp.txt is {exc}: ignored (the submission counts as on time)"


# ---- the student map and the import log ---------------------------------------------------

STUDENT_FIELDS = ["student_id", "lms_id", "lms_user_id", "lms"]
IMPORT_FIELDS = ["imported_at", "assignment", "student_id", "lms", "lms_id", "lms_user_id", "late", "timestamp",
                 "source", "status"]


def student_map(course) -> dict[str, dict[str, str]]:
    """``{student id: {"lms_id", "lms_user_id", "lms"}}`` from ``grading/students.csv``."""
    path = course.work / STUDENTS_CSV
    if not path.exists():
        return {}
    from .export import csv_unsafe

    with open(path, newline="") as f:
        return {csv_unsafe(row["student_id"]): {k: csv_unsafe(v or "") for k, v in row.items()}
                for row in csv.DictReader(f)}


def _save_student_map(course, rows: dict[str, dict[str, str]]) -> None:
    from .export import write_csv

    write_csv(course.work / STUDENTS_CSV, STUDENT_FIELDS, [{**r, "student_id": s} for s, r in sorted(rows.items())])


def _log_imports(course, rows: list[dict]) -> None:
    from .export import csv_safe

    path = course.work / IMPORTS_CSV
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, IMPORT_FIELDS)
        if new:
            w.writeheader()
        for row in rows:
            w.writerow({k: csv_safe(v) for k, v in row.items()})


# ---- reading the source safely --------------------------------------------------------------

@dataclass
class _Entry:
    rel: PurePosixPath  #: path inside the export
    path: Path  #: where its bytes are (extracted or in the source folder)
    time: dt.datetime | None = None  #: the time the LMS gave the file (zip member time)


@dataclass
class _Candidate:
    raw: str
    lms: str
    files: dict[str, Path]
    user_id: str = ""
    late: bool = False
    timestamp: str | None = None
    source: str = ""
    rank: tuple = ()
    folder: bool = False
    older: list = field(default_factory=list)  #: earlier versions of its files in the same export


@dataclass
class ImportReport:
    """What an import did: ``statuses`` ``{student: "new" | "unchanged" | "replaced ..."}``, and
    every file refused, ignored or suspicious, one line each."""

    statuses: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  #: unsafe members and submissions not imported
    unmatched: list[str] = field(default_factory=list)  #: files that matched no pattern
    warnings: list[str] = field(default_factory=list)  #: imported, but look wrong (renamed notebook, ...)
    lms: str = ""


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _unsafe_member(name: str) -> str:
    """Why an archive member's name is refused ("" if it is fine)."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "a '..' path"
    if "\\" in name:
        return "a path with backslashes"
    return ""


def _ignored(rel: PurePosixPath) -> bool:
    return any(p.startswith(".") or p in ("__MACOSX", "__pycache__") for p in rel.parts)


def _from_zip(source: Path, dest: Path, tz, report: ImportReport) -> list[_Entry]:
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CourseError(f"{source} is not a readable zip file ({exc}); give the LMS export's zip or a folder "
                          "with one sub-folder per student") from None
    entries = []
    with zf:
        for info in zf.infolist():
            name = info.filename
            why = _unsafe_member(name) or ("a symbolic link" if _is_link(info) else "") or (
                f"larger than {MAX_MEMBER_BYTES // 2**20} MiB" if info.file_size > MAX_MEMBER_BYTES else "")
            if why:
                report.refused.append(f"{source.name}: {name!r} refused: {why} (archive members must be plain "
                                      "files with relative paths)")
                continue
            if info.is_dir():
                continue
            rel = PurePosixPath(name)
            if _ignored(rel):
                continue
            target = dest.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            when = None
            if info.date_time[0] > 1980:
                when = dt.datetime(*info.date_time, tzinfo=tz).astimezone(dt.UTC).replace(tzinfo=None)
            entries.append(_Entry(rel, target, when))
    return entries


def _from_folder(source: Path, report: ImportReport) -> tuple[list[_Entry], set[str]]:
    """Plain files under ``source``; a symbolic link anywhere refuses its top-level folder."""
    entries, poisoned = [], set()
    for dirpath, dirnames, filenames in os.walk(source, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            path = here / name
            rel = PurePosixPath(path.relative_to(source).as_posix())
            if _ignored(rel):
                continue
            if path.is_symlink():
                top = rel.parts[0]
                poisoned.add(top)
                report.refused.append(f"{top}: {rel} is a symbolic link; submissions must be plain files "
                                      "(not imported)")
            elif name in filenames and path.is_file():
                entries.append(_Entry(rel, path))
        dirnames[:] = [d for d in dirnames if not (here / d).is_symlink()]
    return [e for e in entries if e.rel.parts[0] not in poisoned], poisoned


def _patterns(course) -> dict[str, str]:
    extra = course._file_config().get("CourseImport", {}).get("patterns", [])
    return {**{f"pattern {i + 1} of CourseImport.patterns": p for i, p in enumerate(extra)}, **LMS_PATTERNS}


def _strip_resubmission(name: str) -> tuple[str, int]:
    """Canvas renames a file handed in again "name-1.ext", "name-2.ext": ``(name.ext, n)``."""
    m = re.match(r"^(?P<stem>.+?)-(?P<n>\d+)(?P<ext>\.[^.]+)$", name)
    return (m["stem"] + m["ext"], int(m["n"])) if m else (name, 0)


def _classify(course, assignment: str, entries: list[_Entry], report: ImportReport) -> list[_Candidate]:
    patterns = {k: re.compile(v) for k, v in _patterns(course).items()}
    lms_hits: list[tuple[_Entry, str, re.Match]] = []
    rest = []
    # LMS exports are flat: only files at the top (or inside one wrapping folder) can be LMS-named;
    # a student's own "helper_1_2_x.py" inside their folder is not a Canvas file name
    wrapped = len({e.rel.parts[0] for e in entries}) == 1 and all(len(e.rel.parts) > 1 for e in entries)
    for e in entries:
        if len(e.rel.parts) > (2 if wrapped else 1):
            rest.append(e)
            continue
        for lms, rx in patterns.items():
            m = rx.match(e.rel.name)
            if m and (m.groupdict().get("file") or m.groupdict().get("time")):
                lms_hits.append((e, lms, m))
                break
        else:
            rest.append(e)
    moodle_folder = re.compile(MOODLE_FOLDER)
    folder_hits = [(e, moodle_folder.match(e.rel.parts[0])) for e in rest if len(e.rel.parts) > 1]
    folder_hits = [(e, m) for e, m in folder_hits if m]
    if lms_hits or folder_hits:
        return _lms_candidates(assignment, lms_hits, folder_hits, rest, patterns, report)
    return _folder_candidates(assignment, entries, report)


def _lms_candidates(assignment, lms_hits, folder_hits, rest, patterns, report) -> list[_Candidate]:
    by_student: dict[tuple[str, str], list[_Candidate]] = {}
    used = {id(e) for e, _ in folder_hits}
    for e, lms, m in lms_hits:
        g = m.groupdict()
        name, n = _strip_resubmission(g["file"]) if lms == "Canvas" and g.get("file") else (g.get("file") or "", 0)
        ts = None
        if g.get("time"):
            ts = dt.datetime.strptime(g["time"], "%Y-%m-%d-%H-%M-%S").strftime(TIMESTAMP_FORMAT)
        elif e.time:
            ts = e.time.strftime(TIMESTAMP_FORMAT)
        cand = _Candidate(g["student"], lms if lms in LMS_PATTERNS else "custom",
                          {name: e.path} if name else {}, g.get("user_id") or "", bool(g.get("late")), ts,
                          e.rel.as_posix(), (ts or "", n, int(g.get("submission") or 0)))
        by_student.setdefault((g["student"], name), []).append(cand)
        report.lms = report.lms or lms
    for e, m in folder_hits:
        g = m.groupdict()
        cand = _Candidate(g["student"], "Moodle", {PurePosixPath(*e.rel.parts[1:]).as_posix(): e.path},
                          g["user_id"], False, e.time.strftime(TIMESTAMP_FORMAT) if e.time else None,
                          e.rel.as_posix(), ())
        by_student.setdefault((g["student"], cand.source), []).append(cand)
        report.lms = report.lms or "Moodle"
    for e in rest:
        if id(e) not in used:
            report.unmatched.append(f"{e.rel}: matches no LMS file-name pattern; expected e.g. "
                                    f"jsmith_12345_67890_{assignment}.ipynb (Canvas), "
                                    f"Jane Smith_12345_assignsubmission_file_{assignment}.ipynb (Moodle) or "
                                    f"{assignment}_jsmith_attempt_2026-03-01-12-00-00_{assignment}.ipynb "
                                    "(Blackboard); patterns: CourseImport.patterns in nbgrader_config.py")
    # one candidate per student: files merged, the newest version of each file kept, older ones archived
    merged: dict[str, _Candidate] = {}
    for (raw, _), cands in sorted(by_student.items()):
        cands.sort(key=lambda c: c.rank)
        newest = cands[-1]
        into = merged.setdefault(raw, _Candidate(raw, newest.lms, {}, newest.user_id, False, None, "", ()))
        into.files.update(newest.files)
        into.late |= newest.late
        into.timestamp = max(filter(None, [into.timestamp, newest.timestamp]), default=None)
        into.source = ", ".join(filter(None, [into.source, newest.source]))
        into.older += [c for c in cands[:-1] if c.files]
    return list(merged.values())


def _folder_candidates(assignment: str, entries: list[_Entry], report: ImportReport) -> list[_Candidate]:
    # a single wrapping folder ("submissions/<student>/...") is looked through
    tops = {e.rel.parts[0] for e in entries}
    while len(tops) == 1 and all(len(e.rel.parts) > 2 for e in entries) and assignment not in \
            {e.rel.parts[1] for e in entries}:
        entries = [_Entry(PurePosixPath(*e.rel.parts[1:]), e.path, e.time) for e in entries]
        tops = {e.rel.parts[0] for e in entries}
    students: dict[str, _Candidate] = {}
    for e in entries:
        if len(e.rel.parts) == 1:
            report.unmatched.append(f"{e.rel}: a file outside any student folder, and no LMS file-name pattern "
                                    f"matches it; expected <student>/{assignment}.ipynb or "
                                    f"<student>/{assignment}/{assignment}.ipynb, or an LMS export")
            continue
        raw = e.rel.parts[0]
        inner = e.rel.parts[1:]
        students.setdefault(raw, _Candidate(raw, "folder", {}, folder=True)).files["/".join(inner)] = e.path
    for cand in students.values():  # <student>/<assignment>/... when the student has that folder
        sub = {k[len(assignment) + 1:]: v for k, v in cand.files.items() if k.startswith(assignment + "/")}
        if sub:
            cand.files = sub
        cand.source = f"{cand.raw}/"
    return list(students.values())


# ---- accepting a submission ----------------------------------------------------------------

def _same_tree(a: Path, b: Path) -> bool:
    def listing(root):
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()
                and p.name != "timestamp.txt"}
    return listing(a) == listing(b)


def _archive_slot(course, student: str, assignment: str, label: str) -> Path:
    stamp = label.replace(" ", "_").replace(":", "-")
    target = course.archive / student / assignment / stamp
    n = 1
    while target.exists():
        target = target.with_name(f"{stamp}-{n}")
        n += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _accept(course, student: str, assignment: str, staged: Path, timestamp: str | None) -> str:
    """Move one staged submission into ``submitted/``; archive the earlier one. Returns a status word."""
    dest = course.submitted / student / assignment
    status = "new"
    if dest.exists():
        if _same_tree(dest, staged):
            return "unchanged"
        old_ts, _ = read_timestamp(dest)
        shutil.move(str(dest), str(_archive_slot(course, student, assignment, old_ts or _now())))
        status = "replaced (earlier submission archived)"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(staged, dest, symlinks=True)
    if not (dest / "timestamp.txt").exists():
        (dest / "timestamp.txt").write_text(timestamp or _now())
    return status


def _stage(cand: _Candidate, staging: Path, assignment: str, report: ImportReport, student: str) -> Path | None:
    folder = staging / student
    folder.mkdir(parents=True)
    timestamp = cand.timestamp
    for rel, src in sorted(cand.files.items()):
        if rel == "timestamp.txt":
            try:
                timestamp = parse_timestamp(src.read_text(errors="replace")[:200])
            except ValueError as exc:
                report.refused.append(f"{student}: timestamp.txt is {exc}; fix it or delete it (not imported)")
                return None
            continue
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target, follow_symlinks=False)
    cand.timestamp = timestamp
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)
    expected = f"{assignment}.ipynb"
    names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    if expected not in names:
        others = [n for n in names if n.endswith(".ipynb")]
        report.warnings.append(
            f"{student}: no {expected} in the submission" + (f"; found {', '.join(others)} (renamed?)" if others else "")
            + f"; it will score 0 unless the notebook is renamed to {expected} and imported again")
    return folder


def import_source(course, assignment: str, source: str | os.PathLike) -> ImportReport:
    """Import ``assignment``'s submissions from a folder or an LMS zip; see the module's docstring.

    Raises :class:`CourseError` for an unknown assignment, a missing source, a file that is not a
    zip, or an export from which nothing could be imported.
    """
    known_assignment(assignment)
    source = Path(source)
    report = ImportReport()
    if not source.exists():
        raise CourseError(f"{source} does not exist; give a folder with one sub-folder per student or an "
                          "LMS export (.zip)")
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(course._file_config().get("CourseImport", {}).get("lms_timezone", "UTC"))
    with tempfile.TemporaryDirectory(prefix="course-import-") as tmp:
        tmp = Path(tmp)
        if source.is_dir():
            entries, _ = _from_folder(source, report)
        elif zipfile.is_zipfile(source):
            entries = _from_zip(source, tmp / "extracted", tz, report)
        else:
            raise CourseError(f"{source} is neither a folder nor a zip file (is it a download that failed?); "
                              "give a folder with one sub-folder per student or the LMS export's .zip")
        candidates = _classify(course, assignment, entries, report)
        known = {s: r["lms_id"] for s, r in student_map(course).items()}
        mapping = student_map(course)
        log = []
        for cand in candidates:
            student = safe_student_id(cand.raw, known)
            known[student] = cand.raw
            if student != cand.raw:
                report.warnings.append(f"{student}: the LMS id {cand.raw!r} is imported as {student!r} "
                                       "(recorded in grading/students.csv)")
            if not cand.files:
                report.refused.append(f"{student}: no files in the submission (not imported)")
                continue
            staged = _stage(cand, tmp / "staged", assignment, report, student)
            if staged is None:
                continue
            status = _accept(course, student, assignment, staged, cand.timestamp)
            for older in cand.older:
                slot = _archive_slot(course, student, assignment, f"lms-older-{older.timestamp or _now()}")
                slot.mkdir(parents=True)
                for rel, src in older.files.items():
                    shutil.copyfile(src, slot / rel, follow_symlinks=False)
                report.warnings.append(f"{student}: {older.source} is an older version of a file in the same "
                                       f"export; kept the newest, archived it in {slot.relative_to(course.root)}")
            report.statuses[student] = status
            mapping[student] = {"lms_id": cand.raw, "lms_user_id": cand.user_id or
                                mapping.get(student, {}).get("lms_user_id", ""), "lms": cand.lms}
            log.append({"imported_at": _now(), "assignment": assignment, "student_id": student, "lms": cand.lms,
                        "lms_id": cand.raw, "lms_user_id": cand.user_id, "late": "late" if cand.late else "",
                        "timestamp": cand.timestamp or "", "source": cand.source, "status": status})
    if log:
        _save_student_map(course, mapping)
        _log_imports(course, log)
    if not report.statuses:
        why = (report.refused + report.unmatched)[:3]
        raise CourseError(f"nothing imported from {source}: "
                          + ("; ".join(why) if why else f"it holds no files (expected <student>/{assignment}.ipynb "
                                                        "folders or an LMS export)"))
    return report


def import_submissions(course, assignment: str, source: str | os.PathLike) -> dict[str, str]:
    """:func:`import_source`, returning only ``{student: status}``."""
    return import_source(course, assignment, source).statuses


# ---- undoing an import ----------------------------------------------------------------------

def remove_submission(course, assignment: str, student: str) -> Path:
    """Move ``student``'s submission of ``assignment`` (with its autograded notebook, feedback and
    result record) to ``grading/archive/<student>/<assignment>/removed-<time>/`` and drop it from
    the gradebook (backed up first). Nothing is deleted. Returns the archive folder."""
    known_assignment(assignment)
    sub = course.submitted / student / assignment
    if not sub.is_dir():
        have = sorted(d.name for d in course.submitted.iterdir() if (d / assignment).is_dir()) \
            if course.submitted.exists() else []
        raise CourseError(f"no submission of {assignment} from {student!r}; "
                          + (f"submissions are from {', '.join(have[:20])}" if have else "none is imported"))
    from .pipeline import backup_gradebook

    backup_gradebook(course)
    slot = _archive_slot(course, student, assignment, f"removed-{_now()}")
    slot.mkdir(parents=True)
    shutil.move(str(sub), str(slot / "submitted"))
    for what, path in (("autograded", course.autograded / student / assignment),
                       ("feedback", course.feedback_dir / student / assignment),
                       ("result.json", course.results / assignment / f"{student}.json")):
        if path.exists():
            shutil.move(str(path), str(slot / what))
    from nbgrader.api import Gradebook, MissingEntry

    from .course import _quiet_sqlalchemy

    with _quiet_sqlalchemy(), Gradebook(course.db_url, course_id=course.course_id) as gb:
        try:
            gb.remove_submission(assignment, student)
        except MissingEntry:
            pass
    return slot


def check_selection(course, assignments=None, students=None) -> None:
    """A :class:`CourseError` for an unknown assignment id, or a student with no submission of the
    selected assignments (a typo must not end in "nothing to grade" and exit status 0)."""
    from . import spec as _spec
    from .errors import known_assignments

    ids = known_assignments(assignments) or [a.id for a in _spec.ASSIGNMENTS]
    for s in students or []:
        if not any((course.submitted / s / a).is_dir() for a in ids):
            have = sorted(d.name for d in course.submitted.iterdir() if d.is_dir()) if course.submitted.exists() else []
            raise CourseError(f"no submission from student {s!r}" + (f" for {', '.join(assignments)}" if assignments
                                                                      else "")
                              + (f"; students with submissions: {', '.join(have[:15])}"
                                 + (", ..." if len(have) > 15 else "") if have else "; nothing is imported yet"))
