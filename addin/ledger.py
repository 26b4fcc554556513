"""Notice ledger (通知台账): every notice issued, with its number, in a real database (NTC-*).

SQLite by default (a file beside the workbooks, WAL mode); PostgreSQL when a URL is
configured (``LOGIDESK_LEDGER_URL`` or ``--ledger postgresql://…``) for a multi-branch
deployment.

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
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Sequence

ENV_URL = "LOGIDESK_LEDGER_URL"
DEFAULT_FILENAME = "logidesk-台账.sqlite3"

COLUMNS = ("number", "kind", "year", "seq", "waybill", "branch", "counterparty", "amount",
           "notice_date", "reply_by", "issued_by", "issued_at", "doc_path", "pdf_path",
           "batch_id", "rules", "replied_on")

_SQLITE_DDL = [
    """CREATE TABLE IF NOT EXISTS notice_counters (
        kind TEXT NOT NULL, year INTEGER NOT NULL, last_seq INTEGER NOT NULL,
        PRIMARY KEY (kind, year))""",
    """CREATE TABLE IF NOT EXISTS notices (
        number TEXT PRIMARY KEY, kind TEXT NOT NULL, year INTEGER NOT NULL,
        seq INTEGER NOT NULL, waybill TEXT NOT NULL, branch TEXT, counterparty TEXT,
        amount TEXT, notice_date TEXT NOT NULL, reply_by TEXT, issued_by TEXT,
        issued_at TEXT NOT NULL, doc_path TEXT NOT NULL, pdf_path TEXT, batch_id TEXT NOT NULL,
        rules TEXT, replied_on TEXT, UNIQUE (kind, year, seq))""",
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
        batch_id TEXT NOT NULL, rules TEXT, replied_on DATE, UNIQUE (kind, year, seq))""",
    "CREATE INDEX IF NOT EXISTS notices_kind_waybill ON notices (kind, waybill)",
    "CREATE INDEX IF NOT EXISTS notices_batch ON notices (batch_id)",
]

_BUMP = ("INSERT INTO notice_counters (kind, year, last_seq) VALUES ({p}, {p}, {p}) "
         "ON CONFLICT (kind, year) DO UPDATE SET last_seq = notice_counters.last_seq + "
         "excluded.last_seq RETURNING last_seq")


class LedgerError(RuntimeError):
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


def _as_date(x: Any) -> dt.date | None:
    if x is None or x == "":
        return None
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
    """

    def __init__(self, target: str | os.PathLike) -> None:
        text = str(target)
        self.is_pg = text.startswith(("postgresql://", "postgres://"))
        self.target = text
        self._local = threading.local()
        if self.is_pg:
            try:
                import psycopg  # noqa: F401
            except ImportError as e:  # pragma: no cover - dependency is pinned
                raise LedgerError("使用 PostgreSQL 台账需要安装 psycopg") from e
            self.ident = _redact(text)
        else:
            path = Path(text).expanduser().resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            self.path = path
            self.ident = str(path)
        self._init_schema()

    # -- construction -------------------------------------------------------------------
    @classmethod
    def open(cls, target: "str | os.PathLike | Ledger | None" = None,
             beside: str | os.PathLike | None = None) -> "Ledger":
        """Ledger from an explicit target, else ``$LOGIDESK_LEDGER_URL``, else a SQLite file
        ``logidesk-台账.sqlite3`` in the folder ``beside`` (a workbook or folder)."""
        if isinstance(target, Ledger):
            return target
        if target:
            return cls(target)
        env = os.environ.get(ENV_URL, "").strip()
        if env:
            return cls(env)
        base = Path(beside) if beside else Path.cwd()
        if base.suffix and not base.is_dir():
            base = base.parent
        return cls(base / DEFAULT_FILENAME)

    def _connect(self) -> Any:
        if self.is_pg:
            import psycopg
            try:
                return psycopg.connect(self.target, autocommit=False, connect_timeout=10)
            except psycopg.OperationalError as e:
                raise LedgerError(f"无法连接 PostgreSQL 台账 {self.ident}：{e}") from e
        con = sqlite3.connect(self.path, timeout=120, isolation_level=None,
                              check_same_thread=False)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA busy_timeout=120000")
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

    def _init_schema(self) -> None:
        if self.is_pg:
            with self.transaction() as tx:
                # Serialise concurrent first-time CREATEs (they race on the catalogue).
                tx.cur.execute("SELECT pg_advisory_xact_lock(7425001)")
                for sql in _PG_DDL:
                    tx.cur.execute(sql)
        else:
            with self.transaction() as tx:
                for sql in _SQLITE_DDL:
                    tx.cur.execute(sql)

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator["Transaction"]:
        """One batch = one transaction. Commits on success, rolls back on any exception."""
        con = self._con
        if self.is_pg:
            cur = con.cursor()
            try:
                yield Transaction(self, cur)
                con.commit()
            except BaseException:
                con.rollback()
                raise
            finally:
                cur.close()
        else:
            cur = con.cursor()
            cur.execute("BEGIN IMMEDIATE")  # take the write lock now: numbers are serialised
            try:
                yield Transaction(self, cur)
                cur.execute("COMMIT")
            except BaseException:
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
            notice_date=_as_date(d["notice_date"]), reply_by=_as_date(d["reply_by"]),
            issued_by=d["issued_by"] or "", doc_path=d["doc_path"], batch_id=d["batch_id"],
            branch=d["branch"] or "", counterparty=d["counterparty"] or "",
            pdf_path=d["pdf_path"], rules=d["rules"] or "", issued_at=_as_dt(d["issued_at"]),
            replied_on=_as_date(d["replied_on"]))

    def all(self, kind: str | None = None) -> list[NoticeRecord]:
        """Every notice (optionally of one kind), by number."""
        if kind:
            return self._select(f"WHERE kind = {self._p}", (kind,), "kind, year, seq")
        return self._select(order="kind, year, seq")

    def find(self, kind: str, waybills: Sequence[str]) -> dict[str, list[NoticeRecord]]:
        """Notices of ``kind`` already issued for these waybills (re-issue check)."""
        out: dict[str, list[NoticeRecord]] = {}
        wanted = sorted({str(w) for w in waybills})
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
        self.cur.execute(_BUMP.format(p=p), (kind, int(year), int(count)))
        last = int(self.cur.fetchone()[0])
        return last - count + 1

    def find(self, kind: str, waybills: Sequence[str]) -> set[str]:
        """Waybills among ``waybills`` that already have a notice of ``kind`` (in this
        transaction's view: after :meth:`allocate`, committed batches of others are seen)."""
        p = self.ledger._p
        wanted = sorted({str(w) for w in waybills})
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

        rows = [tuple(val(getattr(r, c)) for c in COLUMNS) for r in records]
        self.cur.executemany(sql, rows)


def _redact(url: str) -> str:
    """URL without its password (for messages and the staging manifest)."""
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)
