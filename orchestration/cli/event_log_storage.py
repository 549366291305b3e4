"""Dagster's SQLite event log, with each event costing a write instead of a file's round trip.

A refresh records thousands of events: per landed file and raw table, a materialisation (1,200
files make 4,800), and per dbt model and test an output, a materialisation or a check result.
Dagster's SQLite storage opens a new connection for every event and closes it after, and the
last connection to close a WAL database checkpoints it, with fsyncs: about 25-50 ms an event
on this machine, 125 s for the events of 300 files. This storage is the same database, tables
and files (a data dir's run history carries on), with three differences:

- connections stay open (a few databases at a time) and commit with `synchronous = normal`,
  SQLite's setting for WAL databases: a commit is a write to the WAL, and the database stays
  consistent if the machine stops (the last commits may then be lost: run history, never the
  warehouse);
- because the run's database file then changes only at checkpoints, a run's new events are
  found by polling its database (as Dagster does for Postgres), not by watching the file;
- a run over many files' partitions plans each asset once, for the whole range of partitions,
  rather than once per partition.
"""

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster._core.event_api import EventHandlerFn
from dagster._core.storage.event_log import SqliteEventLogStorage, SqlPollingEventWatcher
from dagster._core.storage.sqlite import create_db_conn_string
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine

OPEN_DATABASES = 8  # the index, the running run's, and a few a UI is reading
BUSY_TIMEOUT_SECONDS = 30


def _commit_to_wal(dbapi_connection: object, _record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("pragma synchronous = normal")


class CareauditEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one database per run and an index) with open connections,
    commits to the WAL, polling watchers and one planned event per asset for a partition range.
    Configured in the instance's dagster.yaml (orchestration/cli/instance.py)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._event_watcher: SqlPollingEventWatcher | None = None
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict
    ) -> "CareauditEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, kept open; the least recently used is closed beyond
        OPEN_DATABASES."""
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = db.create_engine(
                    create_db_conn_string(self._base_dir, shard),
                    connect_args={"timeout": BUSY_TIMEOUT_SECONDS},
                )
                db.event.listen(engine, "connect", _commit_to_wal)
            self._engines[shard] = engine
            while len(self._engines) > OPEN_DATABASES:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:  # type: ignore[override]
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    @property
    def supports_partition_subset_in_asset_materialization_planned_events(self) -> bool:
        return True

    def watch(self, run_id: str, cursor: str | None, callback: EventHandlerFn) -> None:
        if self._event_watcher is None:
            self._event_watcher = SqlPollingEventWatcher(self)
        self._event_watcher.watch_run(run_id, cursor, callback)

    def end_watch(self, run_id: str, handler: EventHandlerFn) -> None:
        if self._event_watcher is not None:
            self._event_watcher.unwatch_run(run_id, handler)

    def dispose(self) -> None:
        if self._event_watcher is not None:
            self._event_watcher.close()
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        super().dispose()
