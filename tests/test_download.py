"""goannot.download against a local HTTP server on 127.0.0.1 (ephemeral port); no test uses the network.

The server is an ``http.server`` in a daemon thread, started and shut down by the ``server`` fixture.
Each route says what to answer: a status, a body, a ``Content-Length`` that may lie (to simulate a
truncated transfer), a stall (to provoke a timeout), or a redirect. Every request is counted.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from goannot import download as download_module
from goannot.download import (
    DownloadResult, destination, download, download_record, fetch, mirror_url,
)
from goannot.errors import ChecksumError, DataSourceError, DownloadError
from goannot.sources import Source, get_source, locate

GO_BASIC = "go-basic"            # online, no sha256 in the manifest, url .../obo/go/go-basic.obo
GOA_HUMAN = "goa_human"          # online, .gz
OBO = b"format-version: 1.2\n\n[Term]\nid: GO:0005634\nname: nucleus\n" * 200
SLEPT: list[float] = []          # the backoff waits asked for (never slept)
TIMEOUT = 5.0                    # every download in this file is bounded by this (per socket operation)


@dataclasses.dataclass
class Route:
    body: bytes = b""
    status: int = 200
    length: int | None = None     # Content-Length sent; None means len(body), -1 none (close to end)
    stall: float = 0.0            # seconds to wait (interruptibly) before sending the body
    location: str | None = None   # for redirects
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    fail_first: int = 0           # answer this many requests with fail_status before serving the route
    fail_status: int = 503
    fail_headers: dict[str, str] = dataclasses.field(default_factory=dict)


class LocalServer:
    """State shared between a test and the handler threads."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self.release = threading.Event()  # set at teardown so stalled handlers finish at once
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, path: str) -> int:
        return self.hits.count(path)


def _handler(state: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            state.hits.append(self.path)
            state.request_headers.append(dict(self.headers.items()))
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            if route.fail_first > 0:
                route.fail_first -= 1
                self.send_response(route.fail_status)
                for key, value in route.fail_headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            etag = route.headers.get("ETag")
            if etag is not None and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            for key, value in route.headers.items():
                self.send_header(key, value)
            if route.length == -1:
                self.close_connection = True  # the end of the body is the end of the connection
            else:
                self.send_header("Content-Length", str(len(route.body) if route.length is None else route.length))
            self.end_headers()
            if route.stall:
                state.release.wait(route.stall)
            self.wfile.write(route.body)
            self.wfile.flush()
            if route.length is not None and route.length not in (-1, len(route.body)):
                self.close_connection = True  # lie about the length, then hang up

        def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[LocalServer]:
    state = LocalServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Cache in tmp_path, no mirror, and a guard that fails any connection not to 127.0.0.1."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GOANNOT_CACHE", str(cache))
    monkeypatch.delenv("GOANNOT_MIRROR", raising=False)
    real = socket.create_connection

    def loopback_only(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        assert address[0] in ("127.0.0.1", "localhost"), f"test tried to reach {address}"
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "create_connection", loopback_only)
    monkeypatch.setattr(download_module, "_sleep", SLEPT.append)  # retries never wait in tests
    SLEPT.clear()
    return cache


def leftovers(folder: Path) -> list[str]:
    """Temporary files left in a folder (there must never be any)."""
    return sorted(p.name for p in folder.glob(".*part-*")) if folder.exists() else []


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- success -----------------------------------------------------------------------------------------


def test_fetch_installs_where_locate_looks_and_records_meta(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO, headers={"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})
    seen: list[tuple[int, int | None]] = []

    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT, progress=lambda d, t: seen.append((d, t)))

    assert path == destination(GO_BASIC) == locate(GO_BASIC)
    assert path.read_bytes() == OBO
    assert seen and seen[-1] == (len(OBO), len(OBO))
    meta = json.loads(path.with_name(path.name + ".meta.json").read_text())
    assert meta["sha256"] == hashlib.sha256(OBO).hexdigest()
    assert meta["size"] == len(OBO)
    assert meta["url"] == server.url("/go-basic.obo")
    assert meta["etag"] == '"v1"' and meta["last_modified"].startswith("Mon, 01 Jan 2024")
    assert meta["source"] == GO_BASIC and meta["downloaded_at"]
    record = download_record(GO_BASIC)
    assert isinstance(record, DownloadResult) and record.sha256 == meta["sha256"] and record.path == path
    assert leftovers(path.parent) == []


def test_second_fetch_uses_cache_without_network(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO)
    first = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    second = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert first == second and server.count("/go-basic.obo") == 1
    fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT, force=True)
    assert server.count("/go-basic.obo") == 2


def test_known_sha256_is_verified_and_cached_file_rechecked(server: LocalServer) -> None:
    src = dataclasses.replace(get_source(GO_BASIC), sha256=hashlib.sha256(OBO).hexdigest())
    server.routes["/go-basic.obo"] = Route(OBO)
    path = fetch(src, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert locate(src) == path
    assert fetch(src, url=server.url("/go-basic.obo"), timeout=TIMEOUT) == path
    assert server.count("/go-basic.obo") == 1
    path.write_bytes(b"corrupted")  # a damaged cache is replaced, not returned
    assert fetch(src, url=server.url("/go-basic.obo"), timeout=TIMEOUT).read_bytes() == OBO
    assert server.count("/go-basic.obo") == 2


def test_redirects_are_followed(server: LocalServer) -> None:
    server.routes["/purl/go-basic.obo"] = Route(status=302, location=server.url("/real/go-basic.obo"))
    server.routes["/real/go-basic.obo"] = Route(OBO)
    path = fetch(GO_BASIC, url=server.url("/purl/go-basic.obo"), timeout=TIMEOUT)
    assert path.read_bytes() == OBO
    record = download_record(path)
    assert record is not None and record.final_url == server.url("/real/go-basic.obo")


def test_mirror_env_replaces_scheme_and_host(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    assert mirror_url("http://purl.obolibrary.org/obo/go/go-basic.obo", "https://m.example/base/") == (
        "https://m.example/base/obo/go/go-basic.obo")
    assert mirror_url("http://purl.obolibrary.org/obo/go.obo", "") == "http://purl.obolibrary.org/obo/go.obo"
    monkeypatch.setenv("GOANNOT_MIRROR", server.url("/mirror"))
    server.routes["/mirror/obo/go/go-basic.obo"] = Route(OBO)
    assert fetch(GO_BASIC, timeout=TIMEOUT).read_bytes() == OBO


def test_bundled_source_is_located_not_downloaded(caplog: pytest.LogCaptureFixture) -> None:
    # any installed package works as a carrier; this one is certainly present in the test run
    src = Source(name="carried", kind="ontology", format="obo", version="1",
                 bundled_package="pytest", bundled_path="__init__.py")
    with caplog.at_level(logging.INFO, logger="goannot.download"):
        path = fetch(src, force=True)
    assert path == locate(src) and path.is_file()
    assert "bundled" in caplog.text


# --- failures: one-line DownloadError, nothing written -----------------------------------------------


def assert_nothing_written(name: str) -> None:
    dest = destination(name)
    assert not dest.exists()
    assert not dest.with_name(dest.name + ".meta.json").exists()
    assert leftovers(dest.parent) == []


def test_http_404(server: LocalServer) -> None:
    url = server.url("/missing.obo")
    with pytest.raises(DownloadError) as info:
        fetch(GO_BASIC, url=url, timeout=TIMEOUT)
    message = str(info.value)
    assert f"HTTP 404 Not Found for {url}" in message and "nothing was written" in message
    assert "\n" not in message
    assert_nothing_written(GO_BASIC)
    with pytest.raises(DataSourceError):
        locate(GO_BASIC)


def test_connection_refused_is_one_clear_line() -> None:
    url = f"http://127.0.0.1:{closed_port()}/go-basic.obo"
    with pytest.raises(DownloadError) as info:
        fetch(GO_BASIC, url=url, timeout=TIMEOUT)
    message = str(info.value)
    assert message.startswith(f"cannot download {GO_BASIC} from {url}: ")
    assert "(no network?)" in message and message.endswith("nothing was written")
    assert "\n" not in message
    assert_nothing_written(GO_BASIC)


def test_truncated_transfer(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO[:1000], length=len(OBO))
    with pytest.raises(DownloadError, match=f"truncated: got 1000 of {len(OBO)} bytes"):
        fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert_nothing_written(GO_BASIC)


def test_stalled_server_times_out(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO, stall=10.0)
    with pytest.raises(DownloadError, match="timed out after 0.3 s"):
        fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=0.3)
    assert_nothing_written(GO_BASIC)


def test_checksum_mismatch_installs_nothing(server: LocalServer) -> None:
    src = dataclasses.replace(get_source(GO_BASIC), sha256="0" * 64)
    server.routes["/go-basic.obo"] = Route(OBO)
    with pytest.raises(ChecksumError) as info:
        fetch(src, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert info.value.actual == hashlib.sha256(OBO).hexdigest() and info.value.expected == "0" * 64
    assert_nothing_written(GO_BASIC)


@pytest.mark.parametrize("failure", [
    Route(status=500),
    Route(OBO[:10], length=len(OBO)),
    Route(b"something else entirely"),  # wrong checksum (the source below pins the good one)
])
def test_failed_forced_redownload_keeps_good_file(server: LocalServer, failure: Route) -> None:
    src = dataclasses.replace(get_source(GO_BASIC), sha256=hashlib.sha256(OBO).hexdigest())
    server.routes["/go-basic.obo"] = Route(OBO)
    path = fetch(src, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    meta_before = path.with_name(path.name + ".meta.json").read_text()
    server.routes["/go-basic.obo"] = failure
    with pytest.raises(DataSourceError) as info:  # DownloadError, or ChecksumError
        fetch(src, url=server.url("/go-basic.obo"), timeout=TIMEOUT, force=True)
    if isinstance(info.value, DownloadError):
        assert "is unchanged" in str(info.value)
    assert path.read_bytes() == OBO
    assert path.with_name(path.name + ".meta.json").read_text() == meta_before
    assert leftovers(path.parent) == []


def test_interrupt_removes_temp_and_keeps_good_file(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO)
    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    server.routes["/go-basic.obo"] = Route(b"x" * 300_000)

    def interrupt(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT, force=True, progress=interrupt)
    assert path.read_bytes() == OBO and leftovers(path.parent) == []
    record = download_record(GO_BASIC)
    assert record is not None and record.sha256 == hashlib.sha256(OBO).hexdigest()


# --- gzip completeness -------------------------------------------------------------------------------

GAF = b"!gaf-version: 2.2\n" + b"UniProtKB\tP12345\tABC\t\tGO:0005634\tPMID:1\tIDA\t\tC\t\t\tprotein\ttaxon:9606\t20240101\tUniProt\t\t\n" * 500


@pytest.mark.parametrize("body", [
    pytest.param(gzip.compress(GAF), id="one-member"),
    pytest.param(gzip.compress(GAF[:4000]) + gzip.compress(GAF[4000:]), id="two-members"),
    pytest.param(gzip.compress(GAF) + b"\0" * 16, id="zero-padded"),
])
def test_complete_gzip_is_accepted(server: LocalServer, body: bytes) -> None:
    server.routes["/goa_human.gaf.gz"] = Route(body)
    path = fetch(GOA_HUMAN, url=server.url("/goa_human.gaf.gz"), timeout=TIMEOUT)
    assert path.name == "goa_human.gaf.gz" and gzip.decompress(path.read_bytes()) == GAF


@pytest.mark.parametrize("body, reason", [
    pytest.param(gzip.compress(GAF)[:-20], "gzip stream is incomplete", id="truncated"),
    pytest.param(gzip.compress(GAF) + gzip.compress(GAF)[:30], "gzip stream is incomplete", id="second-member-cut"),
    pytest.param(b"<html>Service unavailable</html>", "not valid gzip data", id="html-error-page"),
    pytest.param(b"", "empty", id="empty"),
])
def test_incomplete_gzip_is_rejected(server: LocalServer, body: bytes, reason: str) -> None:
    # the server's Content-Length matches: only the gzip check can see the damage
    server.routes["/goa_human.gaf.gz"] = Route(body)
    with pytest.raises(DownloadError, match=reason):
        fetch(GOA_HUMAN, url=server.url("/goa_human.gaf.gz"), timeout=TIMEOUT)
    assert_nothing_written(GOA_HUMAN)


# --- the building block ------------------------------------------------------------------------------


def test_download_to_any_path_without_record(server: LocalServer, tmp_path: Path) -> None:
    server.routes["/a.obo"] = Route(OBO)
    dest = tmp_path / "elsewhere" / "a.obo"
    result = download(server.url("/a.obo"), dest, sha256=hashlib.sha256(OBO).hexdigest().upper(),
                      timeout=TIMEOUT, record=False)
    assert result.path == dest and result.size == len(OBO) and dest.read_bytes() == OBO
    assert not dest.with_name("a.obo.meta.json").exists()
    assert download_record(dest) is None


def test_failed_download_leaves_no_empty_folder(server: LocalServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError):
        download(server.url("/nope"), tmp_path / "new" / "x.obo", timeout=TIMEOUT)
    assert not (tmp_path / "new").exists()


# --- https only ---------------------------------------------------------------------------------------


def test_every_manifest_url_is_https() -> None:
    from goannot.sources import manifest

    online = [s for s in manifest().values() if not s.is_bundled]
    assert online and all(s.url and s.url.startswith("https://") for s in online)


def test_manifest_with_a_plain_http_url_is_refused(tmp_path: Path) -> None:
    from goannot.sources import _load_manifest

    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nname = "x"\nkind = "ontology"\nformat = "obo"\nversion = "1"\n'
                   'url = "http://example.org/x.obo"\n')
    with pytest.raises(DataSourceError, match="must be fetched over https"):
        _load_manifest(bad)


def test_plain_http_to_another_host_is_refused_before_connecting(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="refusing plain http to example.org"):
        download("http://example.org/go-basic.obo", tmp_path / "x.obo", timeout=TIMEOUT)
    assert not (tmp_path / "x.obo").exists()


def test_redirect_to_plain_http_is_refused(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(status=302, location="http://example.org/go-basic.obo")
    with pytest.raises(DownloadError, match="redirected to http://example.org/go-basic.obo: refusing plain http"):
        fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert server.count("/go-basic.obo") == 1  # not retried: a policy, not a glitch
    assert_nothing_written(GO_BASIC)


def test_allow_http_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    assert download_module._insecure("http://mirror.lan/go.obo") is not None
    monkeypatch.setenv("GOANNOT_ALLOW_HTTP", "1")
    assert download_module._insecure("http://mirror.lan/go.obo") is None
    assert download_module._insecure("ftp://mirror.lan/go.obo") is not None


# --- the recorded sha256 is checked on every reuse ----------------------------------------------------


def _corrupt_same_size(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_corrupted_download_is_fetched_again_not_reused(server: LocalServer) -> None:
    from goannot.sources import source_status

    server.routes["/go-basic.obo"] = Route(OBO)
    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert source_status(get_source(GO_BASIC)).state == "verified"
    _corrupt_same_size(path)
    assert source_status(get_source(GO_BASIC)).state == "checksum-mismatch"
    assert fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT).read_bytes() == OBO
    assert server.count("/go-basic.obo") == 2


def test_corrupted_download_is_an_error_when_loaded(server: LocalServer) -> None:
    from goannot.loader import load_ontology

    body = (Path(__file__).parent / "data" / "obo" / "go-mini.obo").read_bytes()
    server.routes["/go-basic.obo"] = Route(body)
    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert len(load_ontology(GO_BASIC)) == 21
    _corrupt_same_size(path)
    with pytest.raises(ChecksumError):
        locate(GO_BASIC)
    with pytest.raises(ChecksumError):
        load_ontology(GO_BASIC)


def test_download_without_a_record_is_not_trusted(server: LocalServer) -> None:
    from goannot.sources import source_status

    server.routes["/go-basic.obo"] = Route(OBO)
    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    path.with_name(path.name + ".meta.json").unlink()
    assert source_status(get_source(GO_BASIC)).state == "unverified"
    fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert server.count("/go-basic.obo") == 2
    assert source_status(get_source(GO_BASIC)).state == "verified"


# --- completeness without Content-Length ------------------------------------------------------------

MINI = (Path(__file__).parent / "data" / "obo" / "go-mini.obo").read_bytes()
MINI_JSON = (Path(__file__).parent / "data" / "obo" / "go-mini.json").read_bytes()


@pytest.mark.parametrize("name, body", [
    pytest.param("go-basic", MINI, id="obo"),
    pytest.param("go-basic-json", MINI_JSON, id="json"),
])
def test_complete_file_without_length_is_installed(server: LocalServer, name: str, body: bytes) -> None:
    server.routes["/f"] = Route(body, length=-1)
    path = fetch(name, url=server.url("/f"), timeout=TIMEOUT)
    assert path.read_bytes() == body


@pytest.mark.parametrize("name, body, reason", [
    pytest.param("go-basic", MINI[: len(MINI) // 2], "ends mid-line", id="obo-half"),
    pytest.param("go-basic", MINI[: MINI.rindex(b"name: regulates")], "last OBO stanza has no id or name",
                 id="obo-cut-at-a-line"),
    pytest.param("go-basic-json", MINI_JSON[: len(MINI_JSON) // 2], "JSON is incomplete", id="json-half"),
    pytest.param("go-basic", b"", "empty", id="empty"),
])
def test_truncated_file_without_length_is_not_installed(server: LocalServer, name: str, body: bytes,
                                                        reason: str) -> None:
    server.routes["/f"] = Route(body, length=-1)
    with pytest.raises(DownloadError, match=reason):
        fetch(name, url=server.url("/f"), timeout=TIMEOUT, retries=1)
    assert server.count("/f") == 2  # retried once: a cut transfer may be a glitch
    assert_nothing_written(name)


def test_truncated_table_without_length_is_not_installed(server: LocalServer, tmp_path: Path) -> None:
    body = GAF[: GAF.rindex(b"\tprotein\t")] + b"\n"  # cut at the end of a line, mid-record
    server.routes["/x.gaf"] = Route(body, length=-1)
    with pytest.raises(DownloadError, match="number of columns"):
        download(server.url("/x.gaf"), tmp_path / "x.gaf", timeout=TIMEOUT, retries=0)
    assert not (tmp_path / "x.gaf").exists()


# --- retries with backoff ---------------------------------------------------------------------------


def test_transient_errors_are_retried_with_backoff(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO, fail_first=2, fail_status=503)
    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert path.read_bytes() == OBO
    assert server.count("/go-basic.obo") == 3
    assert SLEPT == [1.0, 2.0]


def test_retry_after_is_honoured_and_capped(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO, fail_first=2, fail_status=429,
                                           fail_headers={"Retry-After": "7"})
    fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert SLEPT == [7.0, 7.0]
    SLEPT.clear()
    server.routes["/other.obo"] = Route(OBO, fail_first=1, fail_status=503, fail_headers={"Retry-After": "86400"})
    download(server.url("/other.obo"), destination(GO_BASIC).with_name("other.obo"), timeout=TIMEOUT)
    assert SLEPT == [60.0]


def test_retries_give_up_with_one_clear_line(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO, fail_first=10, fail_status=502)
    with pytest.raises(DownloadError, match="HTTP 502") as info:
        fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT, retries=2)
    assert "\n" not in str(info.value)
    assert server.count("/go-basic.obo") == 3 and SLEPT == [1.0, 2.0]
    assert_nothing_written(GO_BASIC)


def test_truncated_transfer_is_retried(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO[:1000], length=len(OBO))
    with pytest.raises(DownloadError, match="truncated"):
        fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT, retries=1)
    assert server.count("/go-basic.obo") == 2


def test_client_errors_are_not_retried(server: LocalServer) -> None:
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(GO_BASIC, url=server.url("/missing.obo"), timeout=TIMEOUT)
    assert server.count("/missing.obo") == 1 and SLEPT == []


# --- conditional refresh ---------------------------------------------------------------------------


def test_refresh_sends_validators_and_keeps_an_unchanged_file(server: LocalServer) -> None:
    lm = "Mon, 01 Jan 2024 00:00:00 GMT"
    server.routes["/go-basic.obo"] = Route(OBO, headers={"ETag": '"v1"', "Last-Modified": lm})
    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    meta_before = path.with_name(path.name + ".meta.json").read_text()
    assert fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT, force=True) == path
    sent = server.request_headers[-1]
    assert sent.get("If-None-Match") == '"v1"' and sent.get("If-Modified-Since") == lm
    assert path.read_bytes() == OBO
    assert path.with_name(path.name + ".meta.json").read_text() == meta_before
    assert leftovers(path.parent) == []
    # a new release on the server: downloaded and recorded
    server.routes["/go-basic.obo"] = Route(OBO + b"\n", headers={"ETag": '"v2"'})
    fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT, force=True)
    assert path.read_bytes() == OBO + b"\n"
    record = download_record(GO_BASIC)
    assert record is not None and record.etag == '"v2"'


def test_refresh_of_a_corrupted_file_is_unconditional(server: LocalServer) -> None:
    server.routes["/go-basic.obo"] = Route(OBO, headers={"ETag": '"v1"'})
    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    _corrupt_same_size(path)
    fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT, force=True)
    assert "If-None-Match" not in server.request_headers[-1]
    assert path.read_bytes() == OBO


def test_cache_download_folders_are_private_others_follow_the_umask(server: LocalServer, tmp_path: Path) -> None:
    import os
    import stat

    server.routes["/go-basic.obo"] = Route(OBO)
    path = fetch(GO_BASIC, url=server.url("/go-basic.obo"), timeout=TIMEOUT)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.with_name(path.name + ".meta.json").stat().st_mode) == 0o600
    old = os.umask(0o022)
    try:
        download(server.url("/go-basic.obo"), tmp_path / "mine" / "go.obo", timeout=TIMEOUT, record=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "mine").stat().st_mode) == 0o755
