"""Validation on a Dask cluster: the same results as :func:`goannot.validate.validate_file`, for many files
and for files far larger than one machine validates in acceptable time.

Requires the optional extra ``goannot[dask]``; nothing else in goannot imports this module.

How a run goes (:func:`validate_files`):

1. **Convert.** Each input that is not already a converted dataset is converted, one Dask task per file,
   into a partitioned Parquet dataset (:func:`goannot.convert.convert`: a gzip stream cannot be split,
   so one streaming pass per file is the floor; the parts are then read by any number of workers).
2. **Validate parts (row-local).** One task per part runs the single-process engine's own per-chunk code
   (:class:`goannot.validate.engine._Validator`) on the part, with one change: the duplicate-after-repair
   merge is not decided there, because it is cross-row. The task writes the part's validated state to
   the run's work directory (so worker memory does not grow with the input, and a lost worker's
   finished parts survive it) and returns the merge candidates: the rows whose key a repair changed,
   whose GO ID is a possible repair target, and the GO IDs of rows a non-ID rule changed a key column of.
3. **Merge (cross-row, a Dask shuffle).** The candidates of all parts (plus, per file, the rows that share
   a GO ID with a row a non-ID rule changed anywhere in the file) form one ``dask.dataframe`` of integers
   (file, part, line, repaired flag, 64-bit key hash) shuffled on the hash; each shuffled partition
   sorts by (file, hash, line) and marks a row merged when it is not the first row of its key and it or
   that first row was repaired: the rule of :mod:`goannot.validate.engine`, applied over the whole
   file at once. Keys are compared as 64-bit hashes, as in the single-process engine.
4. **Finish parts.** One task per part drops the merged rows, adds their findings and change-log entries,
   and renders the part's ``--fix``/``--rejects``/``--log`` text; the client writes the parts in order
   behind the same headers as the single-process engine, so the files come out byte-identical.

Because every row keeps its original line number and the merge is decided over the whole file, counts,
findings and outputs do not depend on the number of parts. The ontology is not shipped with the tasks:
each worker loads it once from the same source path, checked against the client's sha256
(:class:`OntologyRef`), and an in-process worker uses the client's object directly.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import secrets
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from .columns import GAF_COLUMNS, TABLE_COLUMNS
from .convert import ParquetDataset, convert, is_dataset, open_dataset, read_part
from .validate import idrules
from .validate._spill import batch_findings
from .validate.engine import (_CHANGE_COLUMNS, DUPLICATE_AFTER_REPAIR, DUPLICATE_KEY, _Chunk, _finding_batch,
                              _Found, _frame, _Outputs, _tsv_lines, _Validator)
from .validate.report import STATUSES, ValidationResult, empty_findings, merge_counts
from .validate.rules import RuleContext, Severity

if TYPE_CHECKING:
    from distributed import Client, Future

    from .ontology import Ontology

__all__ = ["OntologyRef", "validate_files", "dask_client"]

log = logging.getLogger(__name__)

_KEYS = list(DUPLICATE_KEY)
_MERGE_COLUMNS = ["file", "part", "line", "first_line"]


# -- the ontology, once per worker ------------------------------------------------------------------


@dataclass(frozen=True)
class OntologyRef:
    """How a worker gets the run's ontology: the source path and the sha256 the client loaded."""

    path: str
    sha256: str | None


_LOADED: dict[OntologyRef, Ontology] = {}
_LOAD_LOCK = threading.Lock()


def share_ontology(ontology: Ontology) -> OntologyRef:
    """Register ``ontology`` in this process and return the reference tasks carry instead of it."""
    ref = OntologyRef(str(ontology.provenance.path), ontology.provenance.sha256)
    with _LOAD_LOCK:
        _LOADED[ref] = ontology
    return ref


def resolve_ontology(ref: OntologyRef) -> Ontology:
    """The ontology ``ref`` names: this process's copy, else loaded once from its path and checked."""
    with _LOAD_LOCK:
        got = _LOADED.get(ref)
        if got is None:
            from .loader import load_ontology

            got = load_ontology(ref.path)
            if ref.sha256 and got.provenance.sha256 and got.provenance.sha256 != ref.sha256:
                raise RuntimeError(f"{ref.path}: sha256 {got.provenance.sha256} on this worker, "
                                   f"{ref.sha256} on the client")
            _LOADED[ref] = got
    return got


# -- step 2: validate one part (row-local) ------------------------------------------------------------


class _PartValidator(_Validator):
    """The single-process validator with the merge step deferred: it records what the merge needs."""

    flags: dict[str, npt.NDArray[np.bool_]]

    def _merge(self, work: _Chunk, ctx: RuleContext, frame_at: npt.NDArray[np.intp],
               live: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        key_changed = work.key_changed[frame_at]
        self.flags = {"changed": work.changed[frame_at][live], "key_changed": key_changed[live],
                      "target": idrules.in_targets(ctx)[live],
                      "other": (key_changed & ~work.go_changed[frame_at])[live]}
        return np.zeros(len(frame_at), dtype=bool)


@dataclass
class _PartState:
    """A validated part before the merge: its live rows (with flags), rejects, changes, findings, counts."""

    table: pd.DataFrame
    flags: dict[str, npt.NDArray[np.bool_]]
    rejects: pd.DataFrame
    changes: pd.DataFrame
    findings: pd.DataFrame
    result: ValidationResult


@dataclass
class _Settings:
    policy: str
    rules: list[str] | tuple[str, ...] | None
    fail_on: str
    options: dict[str, Any]
    #: names the run (parts of one file on one worker share the rules' caches) and, being secret
    #: (128 random bits that travel only in the run's tasks), signs its work files
    token: str = ""


#: Per worker, file and run: the rules' caches (``ctx.state``), shared by the parts of one file as the
#: single-process engine shares them between the chunks of a file. Only a few are kept.
_STATES: dict[tuple[str, str, str], dict[str, Any]] = {}
_STATES_KEPT = 4


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return ""


def _shared_state(ds: ParquetDataset, settings: _Settings) -> dict[str, Any] | None:
    """The cache dict for this worker, file and run (``None`` without a run token)."""
    if not settings.token:
        return None
    key = (_worker_name(), ds.root, settings.token)
    with _LOAD_LOCK:
        got = _STATES.get(key)
        if got is None:
            while len(_STATES) >= _STATES_KEPT:
                _STATES.pop(next(iter(_STATES)))
            got = _STATES[key] = {}
    return got


def _state_path(work_dir: str, file: int, part: int, kind: str = "state") -> Path:
    return Path(work_dir) / f"{kind}-{file:05d}-{part:05d}.pkl"


def _dump(obj: Any, path: Path, secret: str) -> None:
    """Pickle ``obj`` to ``path`` atomically, signed with the run's secret (HMAC-SHA256 in front).

    These are the run's own work files, in a directory workers share (possibly a shared file system
    given by the user): a file planted or changed there by anyone without the secret, which travels
    only in the run's tasks, is refused before it is unpickled (see :func:`_load`).
    """
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    mac = hmac.new(secret.encode("ascii"), data, hashlib.sha256).digest()
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(mac)
        fh.write(data)
    os.replace(tmp, path)


def _load(path: Path, secret: str) -> Any:
    """What :func:`_dump` wrote, if its signature holds; a :class:`ValueError` otherwise (never unpickled)."""
    blob = path.read_bytes()
    mac, data = blob[:32], blob[32:]
    if not secret or not hmac.compare_digest(mac, hmac.new(secret.encode("ascii"), data, hashlib.sha256).digest()):
        raise ValueError(f"{path}: work file not written by this run (signature mismatch); refused")
    return pickle.loads(data)


def stable_key_hashes(table: pd.DataFrame) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of each row's :data:`DUPLICATE_KEY` values, the same in every process.

    As the single-process engine's key hashes (each column dictionary-encoded, only its distinct
    values hashed, then mixed with numpy), but hashing values with pandas' fixed-key SipHash instead
    of Python's per-process salted ``hash``: workers must agree on where a key goes.
    """
    h = np.zeros(len(table), dtype=np.uint64)
    if not len(table):
        return h
    mix = np.uint64(0x9E3779B97F4A7C15)
    for col in _KEYS:
        arr = pa.array(table[col].array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        enc = arr.dictionary_encode()
        codes = enc.indices.to_numpy(zero_copy_only=False)
        values = np.asarray(enc.dictionary.to_numpy(zero_copy_only=False), dtype=object)
        hashed = pd.util.hash_array(values, categorize=False).astype(np.uint64, copy=False)
        with np.errstate(over="ignore"):
            h = (h ^ hashed[codes]) * mix
            h ^= h >> np.uint64(29)
    return h


def _validate_part(ds: ParquetDataset, k: int, file: int, ref: OntologyRef, settings: _Settings,
                   work_dir: str) -> tuple[pd.DataFrame, frozenset[str]]:
    """Validate part ``k`` (all but the merge); save its state; return (merge candidates, GO IDs of
    rows whose key a non-ID rule changed)."""
    table, rejects = read_part(ds, k)
    v = _PartValidator(resolve_ontology(ref), policy=settings.policy, rules=settings.rules,
                       fail_on=settings.fail_on, options=settings.options, meta=ds.meta())
    shared = _shared_state(ds, settings)
    if shared is not None:
        shared.update({k_: v_ for k_, v_ in v.state.items() if k_ not in shared})
        v.state = shared  # the caches of earlier parts (the merge state in it is never used here)
    out = v.run(table, rejects, ds.parts[k].input_rows)
    result = v.finish()
    state = _PartState(out.table, v.flags, out.rejects, out.changes, result.findings, result)
    result.findings = empty_findings()
    _dump(state, _state_path(work_dir, file, k), settings.token)
    keys = pd.DataFrame({"file": np.full(len(out.table), file, dtype=np.int64),
                         "part": np.full(len(out.table), k, dtype=np.int64),
                         "line": out.table["line"].to_numpy(dtype=np.int64),
                         "rep": state.flags["key_changed"],
                         "go_id": out.table["go_id"].to_numpy(dtype=object),
                         "h": stable_key_hashes(out.table)})
    cand = state.flags["key_changed"] | state.flags["target"]
    # The other rows' keys, small, for the rare second round (_extra_candidates).
    _dump(keys[~cand].reset_index(drop=True), _state_path(work_dir, file, k, "keys"), settings.token)
    other = out.table["go_id"].to_numpy(dtype=object)[state.flags["other"]]
    # Only integers travel through the shuffle: the GO ID of a merged row is looked up when finishing.
    return keys[cand].drop(columns="go_id").reset_index(drop=True), frozenset(other.tolist())


def _extra_candidates(work_dir: str, file: int, part: int, go_ids: frozenset[str], secret: str) -> pd.DataFrame:
    """Rows of a part sharing a GO ID with a row whose key a non-ID rule changed somewhere in the file
    (and not candidates already): the engine compares those with every row of the same GO ID."""
    keys: pd.DataFrame = _load(_state_path(work_dir, file, part, "keys"), secret)
    hit = np.isin(keys["go_id"].to_numpy(dtype=object), np.array(sorted(go_ids), dtype=object))
    return keys[hit].drop(columns="go_id").reset_index(drop=True)


def _empty_candidates() -> pd.DataFrame:
    return pd.DataFrame({"file": pd.Series(dtype="int64"), "part": pd.Series(dtype="int64"),
                         "line": pd.Series(dtype="int64"), "rep": pd.Series(dtype=bool),
                         "h": pd.Series(dtype=np.uint64)})


# -- step 3: the merge, per shuffled partition ---------------------------------------------------------


def _find_merges(cands: pd.DataFrame) -> pd.DataFrame:
    """Rows merged into the first row (by line) of their (file, key): not first, and it or the first repaired.

    Runs on one shuffled partition: all rows of a (file, key hash) are in the same partition. Keys
    are compared as 64-bit hashes, as in the single-process engine.
    """
    if not len(cands):
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in _MERGE_COLUMNS})
    df = cands.sort_values(["file", "h", "line"], kind="stable", ignore_index=True)
    file = df["file"].to_numpy(dtype=np.int64)
    h = df["h"].to_numpy(dtype=np.uint64)
    line = df["line"].to_numpy(dtype=np.int64)
    rep = df["rep"].to_numpy(dtype=bool)
    is_first = np.ones(len(df), dtype=bool)
    is_first[1:] = (file[1:] != file[:-1]) | (h[1:] != h[:-1])
    first_at = np.maximum.accumulate(np.where(is_first, np.arange(len(df)), 0))
    merged = ~is_first & (rep | rep[first_at])
    return pd.DataFrame({"file": file[merged], "part": df["part"].to_numpy(dtype=np.int64)[merged],
                         "line": line[merged], "first_line": line[first_at][merged]})


# -- step 4: finish one part -------------------------------------------------------------------------


@dataclass
class _PartOut:
    """A finished part: its counts and findings, and the text of its lines of each output file."""

    result: ValidationResult
    text: dict[str, bytes] = field(default_factory=dict)


def _finish_part(work_dir: str, file: int, part: int, merges: pd.DataFrame, kinds: tuple[str, ...],
                 secret: str) -> _PartOut:
    """Apply the merges decided for this part (as the engine's merge step would) and render its outputs."""
    state: _PartState = _load(_state_path(work_dir, file, part), secret)
    r = state.result
    table, findings, changes = state.table, state.findings, state.changes
    if len(merges):
        merges = merges.sort_values("line", kind="stable")
        lines = table["line"].to_numpy(dtype=np.int64)
        gone = np.isin(lines, merges["line"].to_numpy(dtype=np.int64))
        n_repaired = int(state.flags["changed"][gone].sum())
        n = int(gone.sum())
        r.kept -= n - n_repaired
        r.repaired -= n_repaired
        r.merged += n
        at_lines = merges["line"].to_numpy(dtype=np.int64)
        go = table["go_id"].to_numpy(dtype=object)[pd.Index(lines).get_indexer(at_lines)]
        table = table.iloc[np.flatnonzero(~gone)].reset_index(drop=True)
        kept_line = merges["first_line"].to_numpy(dtype=np.int64)
        # The same texts as goannot.validate.engine's merge step.
        messages = [f"same annotation as line {k} once repaired ({g}, same gene product, qualifier, reference, "
                    f"evidence, with/from, extension and taxon); merged into line {k}"
                    for k, g in zip(kept_line.tolist(), go.tolist())]
        fixes = np.array([f"merged into line {k}" for k in kept_line.tolist()], dtype=object)
        found = _Found(at_lines, DUPLICATE_AFTER_REPAIR, Severity.INFO.value, go, np.array(messages, dtype=object),
                       fixes, "merge")
        both = pd.concat([findings, batch_findings(_finding_batch([found]))], ignore_index=True)
        findings = both.sort_values("line", kind="stable", ignore_index=True)
        merge_counts(r.counts_by_rule, {DUPLICATE_AFTER_REPAIR: n})
        changes = pd.concat([changes, _frame(_CHANGE_COLUMNS, {
            "line": at_lines, "rule": [DUPLICATE_AFTER_REPAIR] * n, "column": ["row"] * n,
            "before": [str(x) for x in at_lines.tolist()], "after": fixes.tolist()})], ignore_index=True)
    if not r.balanced:
        raise RuntimeError(f"part {part}: row accounting broken")
    r.findings = findings
    out = _PartOut(r)
    gaf = state.result.releases.get("annotations", {}).get("format") == "gaf"
    if "fix" in kinds and len(table):
        columns = GAF_COLUMNS if gaf else TABLE_COLUMNS
        out.text["fix"] = _tsv_lines([pa.array(table[c].array) if c != "line" else pa.array(table[c].astype(str))
                                      for c in columns])
    if "rejects" in kinds and len(state.rejects):
        rj = state.rejects
        head = _tsv_lines([pa.array(rj["line"].astype(str).tolist()), pa.array(rj["rule"].tolist()),
                           pa.array(rj["reason"].astype(str).tolist())]).decode("utf-8").split("\n")
        raw = rj["raw"].astype(str).str.replace("\n", " ").tolist()
        out.text["rejects"] = "".join(f"{h}\t{w}\n" for h, w in zip(head, raw)).encode("utf-8")
    if "log" in kinds and len(changes):
        out.text["log"] = _tsv_lines([pa.array(changes[k].astype(str).tolist()) for k in _CHANGE_COLUMNS])
    return out  # the state file stays until the run ends: a retried task reads it again


# -- the client side ---------------------------------------------------------------------------------


@contextmanager
def dask_client(client: Client | None = None, *, scheduler: str | None = None, workers: int | None = None,
                processes: bool = True) -> Iterator[Client]:
    """The client to run on: ``client`` as given, one connected to ``scheduler``, or a local cluster of
    ``workers`` single-threaded workers (default: one per core), closed again at the end."""
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    # distributed configures its loggers at INFO when first imported, and its workers log every failed
    # task with a traceback; goannot reports each file's error itself, so they speak only under -v.
    verbose = logging.getLogger("goannot").isEnabledFor(logging.INFO)
    logging.getLogger("distributed").setLevel(logging.INFO if verbose else logging.ERROR)
    if scheduler:
        with Client(scheduler) as c:  # type: ignore[no-untyped-call]
            yield c
        return
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes,  # type: ignore[no-untyped-call]
                           dashboard_address=":0", silence_logs=logging.INFO if verbose else logging.CRITICAL)
    with cluster, Client(cluster) as c:  # type: ignore[no-untyped-call]
        yield c


def _outputs_for(outputs: Sequence[Mapping[str, str | Path | None]] | None, i: int) -> dict[str, str | Path]:
    if outputs is None:
        return {}
    return {k: v for k, v in outputs[i].items() if v is not None}


def validate_files(paths: Sequence[str | Path], ontology: Ontology, *, client: Client | None = None,
                   scheduler: str | None = None, workers: int | None = None, format: str | None = None,
                   policy: str = "replace", rules: list[str] | tuple[str, ...] | None = None,
                   fail_on: str = "error", options: dict[str, Any] | None = None,
                   outputs: Sequence[Mapping[str, str | Path | None]] | None = None, rows_per_part: int = 500_000,
                   strict: bool = False, work_dir: str | Path | None = None) -> list[ValidationResult | Exception]:
    """Validate annotation files on a Dask cluster; one result (or the error that file raised) per path.

    ``paths`` are annotation files (converted first, in parallel, into ``rows_per_part``-row Parquet
    parts) or datasets already written by :func:`goannot.convert.convert`. ``outputs[i]`` maps ``fix``,
    ``rejects``, ``log`` and ``report`` to the output paths of ``paths[i]``; they are written exactly
    as :func:`goannot.validate.validate_file` writes them. A file that cannot be read does not stop
    the others: its entry in the returned list is the exception. ``work_dir`` holds the converted
    parts and the parts' intermediate state; it must be visible to every worker (a local cluster:
    any local directory; default a temporary one, removed at the end).
    """
    own_dir = work_dir is None
    root = Path(tempfile.mkdtemp(prefix="goannot-dask-")) if own_dir else Path(work_dir)  # type: ignore[arg-type]
    run = root / f"run-{uuid.uuid4().hex[:12]}"
    run.mkdir(parents=True)
    try:
        with dask_client(client, scheduler=scheduler, workers=workers) as c:
            return _run(c, [str(p) for p in paths], ontology,
                        _Settings(policy, rules, fail_on, dict(options or {}), secrets.token_hex(16)),
                        outputs, format, rows_per_part, strict, str(run))
    finally:
        shutil.rmtree(run if not own_dir else root, ignore_errors=True)


def _run(c: Client, paths: list[str], ontology: Ontology, settings: _Settings,
         outputs: Sequence[Mapping[str, str | Path | None]] | None, format: str | None, rows_per_part: int,
         strict: bool, work_dir: str) -> list[ValidationResult | Exception]:
    from distributed import as_completed

    start = time.perf_counter()
    tag = uuid.uuid4().hex[:8]
    ref = share_ontology(ontology)
    results: list[ValidationResult | Exception | None] = [None] * len(paths)
    # 1. convert (one task per file), and as each file is ready, 2. validate its parts.
    conv: dict[Future[Any], int] = {}
    for i, p in enumerate(paths):
        if is_dataset(p):
            conv[c.submit(open_dataset, p, key=f"goannot-open-{tag}-{i}")] = i
        else:
            conv[c.submit(convert, p, str(Path(work_dir) / f"data-{i:05d}"), format=format,
                          rows_per_part=rows_per_part, strict=strict, key=f"goannot-convert-{tag}-{i}")] = i
    datasets: dict[int, ParquetDataset] = {}
    parts: dict[int, list[Future[Any]]] = {}
    for fut in as_completed(list(conv)):  # type: ignore[no-untyped-call]
        i = conv[fut]
        try:
            ds = fut.result()
        except Exception as exc:
            log.info("%s: %s", paths[i], exc)  # the error is the file's result; the caller reports it
            results[i] = exc
            continue
        datasets[i] = ds
        parts[i] = [c.submit(_validate_part, ds, k, i, ref, settings, work_dir, key=f"goannot-part-{tag}-{i}-{k}")
                    for k in range(len(ds.parts))]
    del conv
    t_parts = time.perf_counter()
    # The GO IDs whose rows a non-ID rule changed a key column of, per file: those rows' matches can be anywhere.
    cand_futures: list[Future[Any]] = []
    for i in sorted(parts):
        try:
            others = c.gather([c.submit(lambda t: t[1], f, key=f"goannot-others-{tag}-{i}-{k}")  # type: ignore[no-untyped-call]
                               for k, f in enumerate(parts[i])])
        except Exception as exc:
            log.info("%s: %s", paths[i], exc)  # the error is the file's result; the caller reports it
            results[i] = exc
            continue
        gos: frozenset[str] = frozenset().union(*others)
        cand_futures += [c.submit(lambda t: t[0], f, key=f"goannot-cands-{tag}-{i}-{k}")
                         for k, f in enumerate(parts[i])]
        if gos:
            cand_futures += [c.submit(_extra_candidates, work_dir, i, k, gos, settings.token, key=f"goannot-extra-{tag}-{i}-{k}")
                             for k in range(len(parts[i]))]
    ok = [i for i in sorted(parts) if results[i] is None]
    t_gos = time.perf_counter()
    merges = _merges(cand_futures) if cand_futures else _find_merges(_empty_candidates())
    t_merge = time.perf_counter()
    del cand_futures
    by_part = {key: g.drop(columns=["file", "part"]) for key, g in merges.groupby(["file", "part"], sort=False)}
    no_merges = merges.iloc[:0].drop(columns=["file", "part"])
    # 4. finish the parts and write each file's outputs in part order.
    for i in ok:
        dest = _outputs_for(outputs, i)
        kinds = tuple(k for k in ("fix", "rejects", "log") if k in dest)
        done = [c.submit(_finish_part, work_dir, i, k, by_part.get((i, k), no_merges), kinds, settings.token,
                         key=f"goannot-finish-{tag}-{i}-{k}") for k in range(len(parts[i]))]
        parts[i] = []
        try:
            results[i] = _assemble(done, datasets[i], ontology, settings, dest)
        except Exception as exc:
            log.info("%s: %s", paths[i], exc)  # the error is the file's result; the caller reports it
            results[i] = exc
    end = time.perf_counter()
    log.info("%d files validated on Dask in %.2f s (convert + submit %.2f, parts %.2f, merge %.2f, finish %.2f)",
             len(paths), end - start, t_parts - start, t_gos - t_parts, t_merge - t_gos, end - t_merge)
    return [r if r is not None else RuntimeError("not validated") for r in results]


def _merges(cand_futures: list[Future[Any]]) -> pd.DataFrame:
    """Step 3: shuffle the candidates on (file, key) hash and find the merges in each shuffled partition."""
    import dask.dataframe as dd

    meta = _empty_candidates()
    frame = dd.from_delayed(cand_futures, meta=meta, verify_meta=False)
    merge_meta = _find_merges(meta)
    found = frame.shuffle(on="h").map_partitions(_find_merges, meta=merge_meta)
    result: pd.DataFrame = found.compute()
    return result.reset_index(drop=True)


def _assemble(done: list[Future[Any]], ds: ParquetDataset, ontology: Ontology, settings: _Settings,
              dest: Mapping[str, str | Path]) -> ValidationResult:
    """One file's result from its finished parts, taken in order; the output files written as they come."""
    start = time.perf_counter()
    files = _Outputs(dest.get("fix"), dest.get("rejects"), dest.get("log"), dest.get("report"))
    total: ValidationResult | None = None
    findings: list[pd.DataFrame] = []
    try:
        files.header(ds.meta(), ontology, settings.policy)
        for fut in done:
            part: _PartOut = fut.result()
            fut.release()  # type: ignore[no-untyped-call]
            for kind, text in part.text.items():
                if kind in files.files:
                    files.files.write(kind, text)
            r = part.result
            if total is None:
                total = ValidationResult(policy=r.policy, fail_on=r.fail_on, releases=r.releases)
                total.counts_by_status = {}
            total.input_rows += r.input_rows
            total.kept += r.kept
            total.repaired += r.repaired
            total.rejected += r.rejected
            total.merged += r.merged
            merge_counts(total.counts_by_status, r.counts_by_status)
            merge_counts(total.counts_by_rule, r.counts_by_rule)
            if len(r.findings):
                findings.append(r.findings)
        if total is None:
            raise RuntimeError(f"{ds.path}: no parts")
        total.findings = pd.concat(findings, ignore_index=True) if findings else empty_findings()
        for s in STATUSES:
            total.counts_by_status.setdefault(s, 0)
        if not total.balanced:
            raise RuntimeError(f"{ds.path}: row accounting broken over the file")
        total.timings = {"assemble": time.perf_counter() - start}
        files.report(total)  # the report joins the other outputs: all are committed together, or none
        total.outputs = files.commit()
    except BaseException:
        files.abort()
        raise
    return total
