"""A loopback Kafka proxy that lets Debian's librdkafka 2.0.2 talk to Tansu.

Why it exists: librdkafka before 2.2.0 skips one byte too few for each unknown tagged field
(`rd_kafka_buf_skip_tags`, fixed upstream by commit 8c8f8b9c, #4278). Tansu's ApiVersions v3+
response always carries four top-level tagged fields (SupportedFeatures, FinalizedFeaturesEpoch,
FinalizedFeatures, ZkMigrationReady), all at their defaults, which Apache Kafka would omit. The
old client misreads them ("Protocol read buffer underflow for ApiVersion v3") and never gets
past the handshake.

What it does: every frame passes through unchanged, except ApiVersions responses of version 3
and later, whose top-level tagged-field section is replaced with an empty one (a single 0x00;
the fields only hold defaults, so nothing is lost). Tansu must advertise the proxy's address so
that every client connection comes through here.

It is also the real-broker tests' fault injector: `cut(seconds)` aborts every open connection
(both sides) and refuses new ones for that long, as if the broker had become unreachable.

Kafka framing, as far as this file needs it: each request and response is a 4-byte big-endian
length, then that many bytes. A request starts with api key (int16), api version (int16) and
correlation id (int32); a response starts with the correlation id only, so the proxy remembers,
per connection, which correlation ids were ApiVersions requests of version 3 or later.
ApiVersions responses keep the non-flexible response header (no header tags) even at v3.

Standard library only (python3 is on every machine that builds ReentryBus).
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time

API_VERSIONS = 18
#: The first ApiVersions version whose response is "flexible" (has tagged fields).
FIRST_FLEXIBLE_API_VERSIONS = 3
#: Larger frames are refused (the connection is closed): librdkafka's own receive limit is
#: 100 MB (receive.message.max.bytes); a bigger length means a framing error.
MAX_FRAME_BYTES = 1 << 30

log = logging.getLogger("kafka-proxy")


class MalformedFrame(ValueError):
    """A frame that does not parse as the message it claims to be."""


# MARK: Frame parsing and rewriting (pure functions, unit-tested on captured bytes)


def read_unsigned_varint(data: bytes, offset: int) -> tuple[int, int]:
    """Reads a Kafka unsigned varint (7 bits per byte, low bits first) at `offset`.

    Returns the value and the offset just after it.
    """
    value = 0
    shift = 0
    while True:
        if offset >= len(data):
            raise MalformedFrame(f"varint runs past the end at byte {offset}")
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if byte & 0x80 == 0:
            return value, offset
        shift += 7
        if shift > 28:  # Kafka's unsigned varints hold at most 32 bits: five bytes
            raise MalformedFrame(f"varint longer than five bytes before byte {offset}")


def skip_tagged_fields(data: bytes, offset: int) -> int:
    """Skips a tagged-field section (count, then tag, size and bytes per field) at `offset`.

    Returns the offset just after it.
    """
    count, offset = read_unsigned_varint(data, offset)
    for _ in range(count):
        _tag, offset = read_unsigned_varint(data, offset)
        size, offset = read_unsigned_varint(data, offset)
        offset += size
        if offset > len(data):
            raise MalformedFrame(f"tagged field runs past the end ({offset} > {len(data)})")
    return offset


def request_header(frame: bytes) -> tuple[int, int, int]:
    """The (api key, api version, correlation id) a request frame (without its length) starts with."""
    if len(frame) < 8:
        raise MalformedFrame(f"request of {len(frame)} bytes is shorter than its 8-byte header")
    return struct.unpack_from(">hhi", frame, 0)


def response_correlation_id(frame: bytes) -> int:
    """The correlation id a response frame (without its length) starts with."""
    if len(frame) < 4:
        raise MalformedFrame(f"response of {len(frame)} bytes is shorter than its correlation id")
    return struct.unpack_from(">i", frame, 0)[0]


def empty_api_versions_tags(frame: bytes) -> bytes:
    """Returns an ApiVersions v3+ response frame (without its length) with its top-level
    tagged-field section replaced by an empty one; everything before it is kept byte for byte.

    Layout: correlation id (int32) | error code (int16) | api keys (compact array: unsigned
    varint N+1, then N × [api key int16, min int16, max int16, tagged fields]) | throttle time
    (int32) | tagged fields. Raises `MalformedFrame` if the frame does not parse to its very end
    (an error reply in the v0 layout, for instance): the caller then forwards it unchanged.
    """
    offset = 4 + 2  # correlation id, error code
    if len(frame) < offset:
        raise MalformedFrame("ApiVersions response shorter than its header")
    length_plus_one, offset = read_unsigned_varint(frame, offset)
    for _ in range(max(length_plus_one - 1, 0)):
        offset += 6  # api key, min version, max version
        if offset > len(frame):
            raise MalformedFrame("ApiVersions response ends inside its api keys")
        offset = skip_tagged_fields(frame, offset)
    offset += 4  # throttle time
    if offset > len(frame):
        raise MalformedFrame("ApiVersions response ends before its throttle time")
    end = skip_tagged_fields(frame, offset)
    if end != len(frame):
        raise MalformedFrame(f"ApiVersions response has {len(frame) - end} bytes after its tagged fields")
    return frame[:offset] + b"\x00"


class ConnectionRewriter:
    """One connection's memory: which correlation ids await an ApiVersions v3+ response.

    `request(frame)` is called for every frame the client sends, `response(frame)` for every
    frame the broker sends; the latter returns the frame to forward.
    """

    def __init__(self) -> None:
        self.pending: set[int] = set()
        self.rewritten = 0

    def request(self, frame: bytes) -> None:
        api_key, api_version, correlation_id = request_header(frame)
        if api_key == API_VERSIONS and api_version >= FIRST_FLEXIBLE_API_VERSIONS:
            self.pending.add(correlation_id)

    def response(self, frame: bytes) -> bytes:
        correlation_id = response_correlation_id(frame)
        if correlation_id not in self.pending:
            return frame
        self.pending.discard(correlation_id)
        try:
            rewritten = empty_api_versions_tags(frame)
        except MalformedFrame as problem:
            log.warning("ApiVersions response forwarded unchanged: %s", problem)
            return frame
        self.rewritten += 1
        return rewritten


# MARK: The proxy


async def read_frame(reader: asyncio.StreamReader) -> bytes | None:
    """The next frame's body, or None at a clean end of stream (between frames)."""
    try:
        prefix = await reader.readexactly(4)
    except asyncio.IncompleteReadError as ended:
        if ended.partial:
            raise MalformedFrame("stream ended inside a frame's length") from None
        return None
    (length,) = struct.unpack(">i", prefix)
    if length < 0 or length > MAX_FRAME_BYTES:
        raise MalformedFrame(f"frame length {length} is out of range")
    return await reader.readexactly(length)


def write_frame(writer: asyncio.StreamWriter, frame: bytes) -> None:
    writer.write(struct.pack(">i", len(frame)) + frame)


class KafkaProxy:
    """Accepts client connections and relays each to `upstream` (Tansu), frame by frame.

    Run it with `asyncio.start_server(proxy.handle, host, port)`. `cut(seconds)` is the fault
    injector. Counters (`connections`, `rewritten`) are for logs and tests.
    """

    def __init__(self, upstream_host: str, upstream_port: int, clock=time.monotonic) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.clock = clock
        self.refusing_until = 0.0
        self.open: set[asyncio.StreamWriter] = set()  # both sides of every relayed connection
        self.connections = 0
        self.rewritten = 0

    @property
    def refusing(self) -> bool:
        return self.clock() < self.refusing_until

    def cut(self, seconds: float) -> int:
        """Aborts every open connection (client and broker side, with a TCP reset) and refuses
        new ones for `seconds`. Returns how many client connections were cut."""
        self.refusing_until = self.clock() + seconds
        writers = list(self.open)
        for writer in writers:
            writer.transport.abort()
        return len(writers) // 2

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        """One client connection: open the broker side, relay both directions until either ends."""
        if self.refusing:
            client_writer.transport.abort()
            return
        try:
            broker_reader, broker_writer = await asyncio.open_connection(*self.upstream)
        except OSError as problem:
            log.warning("cannot reach the broker at %s:%d: %s", *self.upstream, problem)
            client_writer.transport.abort()
            return
        if self.refusing:  # cut while connecting
            broker_writer.transport.abort()
            client_writer.transport.abort()
            return
        self.connections += 1
        self.open.update((client_writer, broker_writer))
        rewriter = ConnectionRewriter()
        directions = [
            asyncio.ensure_future(self._relay(client_reader, broker_writer, rewriter.request)),
            asyncio.ensure_future(self._relay(broker_reader, client_writer, rewriter.response)),
        ]
        try:
            await asyncio.wait(directions, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            pass  # the event loop is ending: close both sides below
        finally:
            for direction in directions:
                direction.cancel()
            self.open.difference_update((client_writer, broker_writer))
            self.rewritten += rewriter.rewritten
            for writer in (client_writer, broker_writer):
                writer.close()

    @staticmethod
    async def _relay(reader, writer, inspect) -> None:
        """Copies frames from `reader` to `writer`; `inspect` sees each frame (and, for
        responses, returns the frame to forward). Ends at end of stream or on any error."""
        try:
            while (frame := await read_frame(reader)) is not None:
                forwarded = inspect(frame)
                write_frame(writer, forwarded if forwarded is not None else frame)
                await writer.drain()
        except MalformedFrame as problem:
            log.warning("closing a connection: %s", problem)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass  # one side went away (or was cut): the connection ends
