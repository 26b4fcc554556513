"""Notice ledger (通知台账): every notice issued, with its number, in a real database (NTC-*).

One ledger per company deployment: its place comes from configuration
(:mod:`cli.config`: ``--ledger``, ``LOGIDESK_LEDGER_URL``, the configuration files, else a
SQLite file in the user's data folder) — never from the workbook's folder, so issuing from a
register and from its ``_结果`` copy draws on one sequence. SQLite (WAL mode) for one office;
PostgreSQL (``postgresql://…``) for several branches.

Waybills are stored normalised (:func:`normalise_waybill`: full-width → half-width, zero-width
characters and spaces removed, upper case), so a re-issue is detected however it was typed.

Numbers are unique and gap-free per kind and year (NTC-7 "every notice gets a unique
number"): one counter row per (kind, year) is bumped with
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` inside the batch transaction. The row stays
locked until commit (SQLite: the whole database, taken up front by ``BEGIN IMMEDIATE``;
PostgreSQL: the counter row lock), so concurrent clerks queue for a number and a rolled back
batch gives its numbers back — no gaps, no duplicates.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import threading
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence
from urllib.parse import unquote, urlsplit, urlunsplit

from cli.config import ledger_target
from cli.contract import EnvironmentProblem
from udfs.errtext import os_reason

COLUMNS = ("number", "kind", "year", "seq", "waybill", "branch", "counterparty", "amount",
           "notice_date", "reply_by", "issued_by", "issued_at", "doc_path", "pdf_path",
           "batch_id", "rules", "replied_on", "template", "template_sha256", "source")
# Columns added after the first release: added to an existing ledger on open.
ADDED_COLUMNS = ("template", "template_sha256", "source")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalise_waybill(text: Any) -> str:
    """The ledger key of a waybill as typed: NFKC (full-width ＳＦ１２３ → SF123), zero-width
    characters and all spaces removed, upper case; a float 123.0 read from a cell → 123."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = unicodedata.normalize("NFKC", str(text)).translate(_ZERO_WIDTH)
    return "".join(s.split()).upper()

_SQLITE_DDL = [
    """CREATE TABLE IF NOT EXISTS notice_counters (
        kind TEXT NOT NULL, year INTEGER NOT NULL, last_seq INTEGER NOT NULL,
        PRIMARY KEY (kind, year))""",
    """CREATE TABLE IF NOT EXISTS notices (
        number TEXT PRIMARY KEY, kind TEXT NOT NULL, year INTEGER NOT NULL,
        seq INTEGER NOT NULL, waybill TEXT NOT NULL, branch TEXT, counterparty TEXT,
        amount TEXT, notice_date TEXT NOT NULL, reply_by TEXT, issued_by TEXT,
        issued_at TEXT NOT NULL, doc_path TEXT NOT NULL, pdf_path TEXT, batch_id TEXT NOT NULL,
        rules TEXT, replied_on TEXT, template TEXT, template_sha256 TEXT, source TEXT,
        UNIQUE (kind, year, seq))""",
    "CREATE INDEX IF NOT EXISTS notices_kind_waybill ON notices (kind, waybill)",
    "CREATE INDEX IF NOT EXISTS notices_batch ON notices (batch_id)",
]

_PG_DDL = [
    """CREATE TABLE IF NOT EXISTS notice_counters (
        kind TEXT NOT NULL, year INTEGER NOT NULL, last_seq INTEGER NOT NULL,
        PRIMARY KEY (kind, year))""",
    """CREATE TABLE IF NOT EXISTS notices (
        number TEXT PRIMARY KEY, kind TEXT NOT NULL, year INTEGER NOT NULL,
        seq INTEGER NOT NULL, waybill TEXT NOT NULL, branch TEXT, counterparty TEXT,
        amount NUMERIC(16,2), notice_date DATE NOT NULL, reply_by DATE, issued_by TEXT,
        issued_at TIMESTAMPTZ NOT NULL, doc_path TEXT NOT NULL, pdf_path TEXT,
        batch_id TEXT NOT NULL, rules TEXT, replied_on DATE, template TEXT,
        template_sha256 TEXT, source TEXT, UNIQUE (kind, year, seq))""",
    "CREATE INDEX IF NOT EXISTS notices_kind_waybill ON notices (kind, waybill)",
    "CREATE INDEX IF NOT EXISTS notices_batch ON notices (batch_id)",
]

_BUMP = ("INSERT INTO notice_counters (kind, year, last_seq) VALUES ({p}, {p}, {p}) "
         "ON CONFLICT (kind, year) DO UPDATE SET last_seq = notice_counters.last_seq + "
         "excluded.last_seq RETURNING last_seq")


def psycopg_module() -> Any:
    """The psycopg module for PostgreSQL ledgers; None when it is not installed."""
    try:
        import psycopg  # lazy: psycopg is optional (PostgreSQL ledgers only) and costs 110 ms at start-up
    except ImportError:
        return None
    return psycopg


class LedgerError(EnvironmentProblem):
    """Ledger unavailable or misconfigured (Chinese message)."""


@dataclass
class NoticeRecord:
    """One ledger row (a notice issued)."""

    number: str
    kind: str
    year: int
    seq: int
    waybill: str
    amount: Decimal | None
    notice_date: dt.date
    reply_by: dt.date | None
    issued_by: str
    doc_path: str
    batch_id: str
    branch: str = ""
    counterparty: str = ""
    pdf_path: str | None = None
    rules: str = ""
    issued_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    replied_on: dt.date | None = None
    template: str = ""            # which template the document was made from …
    template_sha256: str = ""     # … and its hash (a planted template is traceable)
    source: str = ""              # register file and row the notice was issued from


def _as_date(x: Any) -> dt.date | None:
    if x is None or x == "":
        return None
    return _to_date(x)


def _to_date(x: Any) -> dt.date:
    """A stored date (a DATE column or ISO text); for notice_date, which is NOT NULL, an empty
    text is unreadable (ValueError) like any other bad date, not a record without a date."""
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x)[:10])


def _as_dt(x: Any) -> dt.datetime:
    return x if isinstance(x, dt.datetime) else dt.datetime.fromisoformat(str(x))


class Ledger:
    """The notice ledger. ``Ledger.open(url_or_path)`` picks the backend.

    Use :meth:`transaction` for a batch: allocate numbers and insert rows, all or nothing.
    Every database failure (missing server, corrupted or read-only file, a folder where the
    file should be) is a :class:`LedgerError` with a Chinese message naming the ledger.
    """

    def __init__(self, target: str | os.PathLike, origin: str = "") -> None:
        text = str(target)
        self.is_pg = text.startswith(("postgresql://", "postgres://"))
        self.target = text
        self.origin = origin
        self.path: str | Path  # SQLite only: a URI text (opened with uri=True) or a file path
        self._local = threading.local()
        if self.is_pg:
            if psycopg_module() is None:  # pragma: no cover - dependency is pinned
                raise LedgerError("使用 PostgreSQL 台账需要安装 psycopg")
            self.ident = _redact(text)
        elif text.startswith("file:"):  # an SQLite URI, e.g. file:/srv/台账.sqlite3?mode=ro
            self.path = text
            self.ident = text
        else:
            path = Path(text).expanduser().resolve()
            self.path = path
            self.ident = str(path)
            if path.is_dir():
                raise LedgerError(self._where("台账位置是一个文件夹，不是台账文件"))
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise LedgerError(self._where(f"无法创建台账所在文件夹（{os_reason(e)}）")) from e
        with self.errors():
            self._init_schema()

    def _where(self, what: str) -> str:
        origin = f"，来自{self.origin}" if self.origin else ""
        return f"{what}：{self.ident}{origin}"

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Translate database exceptions into LedgerError (Chinese, naming the ledger)."""
        try:
            yield
        except LedgerError:
            raise
        except sqlite3.DatabaseError as e:
            text = str(e).lower()
            if "readonly" in text or "read-only" in text:
                what = "台账文件是只读的，无法登记通知（请检查文件权限或联系管理员）"
            elif "not a database" in text or "malformed" in text or "corrupt" in text:
                what = "台账文件已损坏或不是台账数据库（请由管理员从备份恢复，切勿删除）"
            elif "unable to open" in text:
                what = "无法打开台账文件（文件夹不存在或无权限）"
            elif "locked" in text or "busy" in text:
                what = "台账正被其他用户长时间占用，请稍后重试"
            else:
                what = "台账数据库错误（原文已写入日志）"
            raise LedgerError(self._where(what)) from e
        except Exception as e:
            psycopg = psycopg_module()
            if psycopg is None:  # pragma: no cover
                raise e from None
            if isinstance(e, psycopg.Error):
                raise LedgerError(f"台账数据库出错：{pg_where(self.target)}（{pg_reason(str(e))}）") from e
            raise

    # -- construction -------------------------------------------------------------------
    @classmethod
    def open(cls, target: "str | os.PathLike | Ledger | None" = None) -> "Ledger":
        """The company's ledger: ``target`` if given, else the configured one
        (:func:`cli.config.ledger_target`: environment, configuration file, default)."""
        if isinstance(target, Ledger):
            return target
        src = ledger_target(target)
        return cls(src.value, src.origin)

    def _connect(self) -> Any:
        if self.is_pg:
            psycopg = psycopg_module()
            try:
                return psycopg.connect(self.target, autocommit=False, connect_timeout=10)
            except psycopg.OperationalError as e:
                raise LedgerError(f"台账数据库无法连接：{pg_where(self.target)}（{pg_reason(str(e))}）") from e
        with self.errors():
            con = sqlite3.connect(self.path, timeout=120, isolation_level=None,
                                  check_same_thread=False, uri=isinstance(self.path, str))
            con.execute("PRAGMA busy_timeout=120000")
            if "mode=ro" not in str(self.path):
                _use_wal(con)
            con.execute("PRAGMA synchronous=FULL")
        return con

    @property
    def _con(self) -> Any:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._connect()
        return con

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def _p(self) -> str:
        return "%s" if self.is_pg else "?"

    def _columns(self) -> set[str] | None:
        """Column names of ``notices`` (None when the table does not exist) — a plain read."""
        con = self._con
        cur = con.cursor()
        try:
            if self.is_pg:
                cur.execute("SELECT column_name FROM information_schema.columns "
                            "WHERE table_name = 'notices' AND table_schema = current_schema()")
                names = {r[0] for r in cur.fetchall()}
                con.rollback()
            else:
                names = {r[1] for r in cur.execute("PRAGMA table_info(notices)").fetchall()}
        finally:
            cur.close()
        return names or None

    def _init_schema(self) -> None:
        have = self._columns()
        if have is not None and set(COLUMNS) <= have:
            return  # up to date: no write lock taken (a --list never waits for a batch)
        with self.transaction() as tx:
            if self.is_pg:
                # Serialise concurrent first-time CREATEs (they race on the catalogue).
                tx.cur.execute("SELECT pg_advisory_xact_lock(7425001)")
                for sql in _PG_DDL:
                    tx.cur.execute(sql)
                for c in ADDED_COLUMNS:
                    tx.cur.execute(f"ALTER TABLE notices ADD COLUMN IF NOT EXISTS {c} TEXT")
            else:
                for sql in _SQLITE_DDL:
                    tx.cur.execute(sql)
                now = {r[1] for r in tx.cur.execute("PRAGMA table_info(notices)").fetchall()}
                for c in ADDED_COLUMNS:
                    if c not in now:
                        tx.cur.execute(f"ALTER TABLE notices ADD COLUMN {c} TEXT")

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator["Transaction"]:
        """One batch = one transaction. Commits on success, rolls back on any exception."""
        con = self._con
        if self.is_pg:
            cur = con.cursor()
            try:
                yield Transaction(self, cur)
                with self.errors():
                    con.commit()
            except BaseException:
                con.rollback()
                raise
            finally:
                cur.close()
        else:
            cur = con.cursor()
            with self.errors():
                cur.execute("BEGIN IMMEDIATE")  # take the write lock now: numbers are serialised
            try:
                yield Transaction(self, cur)
                with self.errors():
                    cur.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()

    # -- queries ------------------------------------------------------------------------
    def _select(self, where: str = "", params: Sequence[Any] = (), order: str = "number") -> list[NoticeRecord]:
        sql = f"SELECT {', '.join(COLUMNS)} FROM notices {where} ORDER BY {order}"
        con = self._con
        cur = con.cursor()
        try:
            with self.errors():
                cur.execute(sql, tuple(params))
                rows = cur.fetchall()
        finally:
            cur.close()
            if self.is_pg:
                con.rollback()  # end the read transaction
        return [self._record(r) for r in rows]

    def _record(self, r: Sequence[Any]) -> NoticeRecord:
        d = dict(zip(COLUMNS, r))
        return NoticeRecord(
            number=d["number"], kind=d["kind"], year=int(d["year"]), seq=int(d["seq"]),
            waybill=d["waybill"], amount=None if d["amount"] is None else Decimal(str(d["amount"])),
            notice_date=_to_date(d["notice_date"]), reply_by=_as_date(d["reply_by"]),
            issued_by=d["issued_by"] or "", doc_path=d["doc_path"], batch_id=d["batch_id"],
            branch=d["branch"] or "", counterparty=d["counterparty"] or "",
            pdf_path=d["pdf_path"], rules=d["rules"] or "", issued_at=_as_dt(d["issued_at"]),
            replied_on=_as_date(d["replied_on"]), template=d["template"] or "",
            template_sha256=d["template_sha256"] or "", source=d["source"] or "")

    def all(self, kind: str | None = None) -> list[NoticeRecord]:
        """Every notice (optionally of one kind), by number."""
        if kind:
            return self._select(f"WHERE kind = {self._p}", (kind,), "kind, year, seq")
        return self._select(order="kind, year, seq")

    def find(self, kind: str, waybills: Sequence[str]) -> dict[str, list[NoticeRecord]]:
        """Notices of ``kind`` already issued for these waybills (re-issue check)."""
        out: dict[str, list[NoticeRecord]] = {}
        wanted = sorted({normalise_waybill(w) for w in waybills})
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            marks = ", ".join([self._p] * len(chunk))
            for rec in self._select(f"WHERE kind = {self._p} AND waybill IN ({marks})",
                                    (kind, *chunk)):
                out.setdefault(rec.waybill, []).append(rec)
        return out

    def batch_exists(self, batch_id: str) -> bool:
        """True when a committed batch has rows (crash recovery: roll the files forward)."""
        return bool(self._select(f"WHERE batch_id = {self._p}", (batch_id,)))

    def open_notices(self) -> list[NoticeRecord]:
        """Notices with a reply-by date and no reply recorded (deadline reminders)."""
        return self._select("WHERE reply_by IS NOT NULL AND replied_on IS NULL",
                            order="reply_by, number")

    def set_pdf(self, paths: Mapping[str, str | None]) -> None:
        """Record the PDFs that exist (number -> path) once converted, outside the numbering
        transaction; a failed conversion leaves pdf_path empty."""
        if not paths:
            return
        with self.transaction() as tx:
            tx.cur.executemany(f"UPDATE notices SET pdf_path = {self._p} WHERE number = {self._p}",
                               [(v, k) for k, v in paths.items()])

    def mark_replied(self, number: str, on: dt.date) -> bool:
        """Record the counterpart's reply to notice ``number``; False if unknown."""
        with self.transaction() as tx:
            tx.cur.execute(f"UPDATE notices SET replied_on = {self._p} WHERE number = {self._p}",
                           (on if self.is_pg else on.isoformat(), number))
            return tx.cur.rowcount == 1


class Transaction:
    """A batch transaction: :meth:`allocate` numbers, then :meth:`insert` their rows."""

    def __init__(self, ledger: Ledger, cur: Any) -> None:
        self.ledger, self.cur = ledger, cur

    def allocate(self, kind: str, year: int, count: int) -> int:
        """Reserve ``count`` consecutive numbers for (kind, year); return the first.

        The counter row stays locked until the transaction ends (NTC-7: gap-free)."""
        if count <= 0:
            raise ValueError("count must be positive")
        p = self.ledger._p
        with self.ledger.errors():
            self.cur.execute(_BUMP.format(p=p), (kind, int(year), int(count)))
            last = int(self.cur.fetchone()[0])
        return last - count + 1

    def find(self, kind: str, waybills: Sequence[str]) -> set[str]:
        """Waybills among ``waybills`` that already have a notice of ``kind`` (in this
        transaction's view: after :meth:`allocate`, committed batches of others are seen)."""
        p = self.ledger._p
        wanted = sorted({normalise_waybill(w) for w in waybills})
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            self.cur.execute(f"SELECT DISTINCT waybill FROM notices WHERE kind = {p} AND waybill IN "
                             f"({', '.join([p] * len(chunk))})", (kind, *chunk))
            found |= {r[0] for r in self.cur.fetchall()}
        return found

    def insert(self, records: Sequence[NoticeRecord]) -> None:
        """Insert the batch's rows (same transaction as :meth:`allocate`)."""
        p = self.ledger._p
        sql = f"INSERT INTO notices ({', '.join(COLUMNS)}) VALUES ({', '.join([p] * len(COLUMNS))})"
        pg = self.ledger.is_pg

        def val(v: Any) -> Any:
            if pg or v is None:
                return v
            if isinstance(v, Decimal):
                return str(v)
            if isinstance(v, (dt.date, dt.datetime)):
                return v.isoformat()
            return v

        rows = [tuple(val(normalise_waybill(r.waybill) if c == "waybill" else getattr(r, c))
                      for c in COLUMNS) for r in records]
        with self.ledger.errors():
            self.cur.executemany(sql, rows)


_PG_REASONS: tuple[tuple[str, str], ...] = (
    (r"password authentication failed|no password supplied", "用户名或密码错误"),
    (r"no pg_hba\.conf entry", "服务器不允许本机连接，请管理员在 pg_hba.conf 中放行"),
    (r'role ".*" does not exist', "数据库用户（角色）不存在"),
    (r'database ".*" does not exist', "数据库不存在"),
    (r"connection refused", "服务器拒绝连接：服务未运行或端口不对"),
    (r"timeout|timed out", "连接超时"),
    (r"could not translate host name|name or service not known|nodename nor servname|name resolution",
     "找不到服务器：主机名无法解析"),
    (r"permission denied", "数据库用户没有权限"),
    (r"read-only|read only", "数据库是只读的"),
    (r"ssl", "加密连接（SSL）失败"),
)


def pg_reason(text: str) -> str:
    """psycopg's English error text as a Chinese reason (the original goes to the log)."""
    return next((zh for pattern, zh in _PG_REASONS if re.search(pattern, text, re.I)), "原文已写入日志")


def pg_where(url: str) -> str:
    """「PostgreSQL 主机 db.example:5432，数据库 logidesk」: never the user or the password."""
    parts = urlsplit(url)
    host = parts.hostname or "本机"
    port = parts.port or 5432
    db = unquote(parts.path.lstrip("/")) or "（默认）"
    return f"PostgreSQL 主机 {host}:{port}，数据库 {db}"


def _redact(url: str) -> str:
    """URL without its password (for messages and the staging manifest)."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _use_wal(con: sqlite3.Connection, budget: float = 120.0) -> None:
    """Switch a SQLite ledger to WAL (readers never wait for a batch). Two clerks opening a
    new ledger at the same instant both try the switch; SQLite may answer one of them
    "database is locked" at once, without waiting for the busy timeout: retry, and stop as
    soon as the other clerk's switch is seen."""
    until = time.monotonic() + budget
    while True:
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            con.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as e:
            text = str(e).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > until:
                raise
            time.sleep(0.05)
