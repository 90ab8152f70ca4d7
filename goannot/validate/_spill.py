"""Findings of a streamed validation, kept on disk instead of in memory.

A file can have a finding on a sixth of its rows (protein binding without an extension in GOA
human: 80k per copy of the file). Held in memory, even as Arrow strings, they are the one part of a
streamed run that grows with the file. So :func:`~goannot.validate.validate_file` appends each
chunk's findings to a temporary Arrow IPC file and, at the end, hands out a DataFrame whose string
columns are memory-mapped from that file: pages are read in only when someone looks at them, and
they are clean file pages the kernel can drop at any time. Only the ``line`` column is copied into
memory (8 bytes per finding), so that it is an ordinary ``int64`` column.

The file lives in the system's temp directory (never the working directory) and is unlinked as
soon as it is mapped; the mapping keeps the data readable for as long as the DataFrame lives. Where
an open file cannot be unlinked (Windows), it is removed when the result is garbage-collected.
"""

from __future__ import annotations

import logging
import os
import tempfile
import weakref
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from ..atomic import os_reason, private_tempfile
from ..errors import OutputError
from .report import FINDING_RECORD, empty_findings

__all__ = ["FindingSpill", "compact_findings", "batch_findings"]

log = logging.getLogger(__name__)

_SCHEMA = pa.schema([(c, pa.int64() if c == "line" else pa.large_string()) for c in FINDING_RECORD])
#: The dtype of the findings' text columns: Arrow-backed strings (zero-copy over the mapped file).
TEXT_DTYPE: Final = "string[pyarrow]"


def compact_findings(found: pd.DataFrame) -> pd.DataFrame:
    """Findings held in memory, stored small: text columns as Arrow strings instead of Python objects."""
    out: dict[str, Any] = {}
    for c in found.columns:
        col = found[c]
        out[c] = col.astype(TEXT_DTYPE) if col.dtype == object else col
    return pd.DataFrame(out)


def batch_findings(batch: pa.RecordBatch) -> pd.DataFrame:
    """Findings held in memory from an Arrow batch: ``line`` int64, text columns as Arrow strings."""
    return pd.DataFrame({c: (batch.column(c).to_numpy() if c == "line" else pd.array(batch.column(c), dtype=TEXT_DTYPE))
                         for c in FINDING_RECORD})


def _batch(found: pd.DataFrame) -> pa.RecordBatch:
    arrays = []
    for c in FINDING_RECORD:
        if c == "line":
            arrays.append(pa.array(found[c].to_numpy(dtype=np.int64), type=pa.int64()))
        else:
            values = found[c]
            arrays.append(pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
                          if values.dtype == object else pa.array(values.array, type=pa.large_string()))
    return pa.RecordBatch.from_arrays(arrays, schema=_SCHEMA)


class FindingSpill:
    """Append-only store of findings in a temporary Arrow IPC file (see the module docstring)."""

    def __init__(self) -> None:
        self.path: str | None = None
        self._sink: pa.OSFile | None = None
        self._writer: ipc.RecordBatchFileWriter | None = None
        self.rows = 0

    def add(self, found: pd.DataFrame) -> None:
        """Append one chunk's findings (columns :data:`~goannot.validate.report.FINDING_RECORD`)."""
        if not len(found):
            return
        self.add_batch(_batch(found))

    def add_batch(self, batch: pa.RecordBatch) -> None:
        """Append one chunk's findings given as an Arrow batch with the spill's schema."""
        if not batch.num_rows:
            return
        try:
            if self._writer is None:
                fd, self.path = private_tempfile("findings", ".arrow")  # removed on SIGTERM; swept if killed
                os.close(fd)
                self._sink = pa.OSFile(self.path, "wb")
                self._writer = ipc.new_file(self._sink, _SCHEMA)
            self._writer.write_batch(batch.cast(_SCHEMA) if batch.schema != _SCHEMA else batch)
        except OSError as exc:
            raise self._failed(exc) from exc
        self.rows += batch.num_rows

    def _failed(self, exc: OSError) -> OutputError:
        """Drop the file and say where the space ran out (the temp directory, which TMPDIR moves)."""
        where = self.path or tempfile.gettempdir()
        self.discard()
        return OutputError(where, f"{os_reason(exc)} (the temporary file of the findings; set TMPDIR to a "
                                  "directory with more room)", exc.errno)

    def _close(self) -> None:
        # Forget the writer and sink before closing them: a close that fails (disk full at the last
        # flush) must not be retried, and must not keep discard() from removing the file.
        writer, self._writer = self._writer, None
        sink, self._sink = self._sink, None
        try:
            if writer is not None:
                writer.close()
        finally:
            if sink is not None:
                sink.close()

    def read(self, owner: object | None = None) -> pd.DataFrame:
        """All findings in the order added, text columns mapped from the file; ends the spill.

        ``owner`` (the result the frame goes into) takes care of removing the file where it could
        not be unlinked while mapped.
        """
        try:
            self._close()
        except OSError as exc:
            raise self._failed(exc) from exc
        if self.path is None:
            return empty_findings()
        path, self.path = self.path, None
        source = pa.memory_map(path, "r")
        table = ipc.open_file(source).read_all()
        try:
            os.unlink(path)
        except OSError:  # an open file cannot be removed on Windows: remove it with its owner
            if owner is not None:
                weakref.finalize(owner, _remove, path)
        data: dict[str, Any] = {}
        for c in FINDING_RECORD:
            col = table.column(c)
            data[c] = (col.to_numpy() if c == "line"
                       else pd.array(col, dtype=TEXT_DTYPE))
        return pd.DataFrame(data)

    def discard(self) -> None:
        """Drop the findings and their file (after a failed run). Never raises."""
        try:
            self._close()
        except OSError as exc:
            log.debug("closing the findings file: %s", exc)
        finally:
            if self.path is not None:
                _remove(self.path)
                self.path = None


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError as exc:
        log.debug("could not remove %s: %s", path, exc)
