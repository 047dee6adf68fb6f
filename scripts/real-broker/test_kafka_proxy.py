"""Unit tests of kafka_proxy.py: the frame rewriting on bytes captured from Tansu 0.6.0 and on
constructed ones, and the proxy itself against a fake broker (no Tansu needed).

Run: python3 -m unittest discover -s scripts/real-broker -p 'test_*.py'
(the Swift test RealBrokerTests/ProxyTests runs exactly this, so `swift test` covers it).
"""

from __future__ import annotations

import asyncio
import struct
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kafka_proxy import (  # noqa: E402
    ConnectionRewriter, KafkaProxy, MalformedFrame, empty_api_versions_tags, read_unsigned_varint,
)

# Tansu 0.6.0's reply (without the length prefix) to an ApiVersions v3 request with correlation
# id 7, captured on 2026-11-30: 36 api keys, throttle 0, then the four top-level tagged fields
# 04 | 00 01 01 | 01 08 ff×8 | 02 01 01 | 03 01 00 that librdkafka 2.0.2 misreads.
CAPTURED_TANSU_V3 = bytes.fromhex(
    "00000007000025001d0000000300000e000000050000470000000000001500000002000013000000070000330000"
    "000000004b00000000000014000000060000030000000c00002c0000000100000800000009000002000000090000"
    "2a000000020000100000000500000a0000000600002e0000000000000f0000000500002400000002000018000000"
    "05000011000000010000090000000900001c0000000400001e00000003000001000000110000450000000000000c"
    "0000000400000d0000000500001a000000040000320000000000000b00000009000020000000040000000000000b"
    "00001900000004000016000000050000120000000400003c000000010000000000040001010108ffffffffffffff"
    "ff020101030100"
)
CAPTURED_TAGS = bytes.fromhex("040001010108ffffffffffffffff020101030100")


def request(api_key: int, version: int, correlation_id: int, rest: bytes = b"\x00\x00\x00") -> bytes:
    """A request frame body: header (api key, version, correlation id, null client id) + `rest`."""
    return struct.pack(">hhih", api_key, version, correlation_id, -1) + rest


def api_versions_v3_response(correlation_id: int, keys: list[tuple[int, int, int, bytes]], tags: bytes) -> bytes:
    """An ApiVersions v3+ response body: each key is (api key, min, max, its tagged fields)."""
    body = struct.pack(">ih", correlation_id, 0) + bytes([len(keys) + 1])
    for key, low, high, key_tags in keys:
        body += struct.pack(">hhh", key, low, high) + key_tags
    return body + struct.pack(">i", 0) + tags


class RewriteTests(unittest.TestCase):
    def test_the_captured_tansu_reply_loses_only_its_top_level_tagged_fields(self):
        self.assertTrue(CAPTURED_TANSU_V3.endswith(CAPTURED_TAGS))
        rewritten = empty_api_versions_tags(CAPTURED_TANSU_V3)
        self.assertEqual(rewritten, CAPTURED_TANSU_V3[: -len(CAPTURED_TAGS)] + b"\x00")
        self.assertEqual(len(CAPTURED_TANSU_V3) - len(rewritten), len(CAPTURED_TAGS) - 1)

    def test_a_rewritten_reply_is_left_as_it_is(self):
        once = empty_api_versions_tags(CAPTURED_TANSU_V3)
        self.assertEqual(empty_api_versions_tags(once), once)

    def test_tagged_fields_inside_api_key_entries_are_kept(self):
        entry_tags = bytes.fromhex("01" "05" "02" "abcd")  # one field: tag 5, two bytes
        frame = api_versions_v3_response(9, [(0, 0, 11, b"\x00"), (18, 0, 4, entry_tags)], bytes.fromhex("0100" "01" "07"))
        rewritten = empty_api_versions_tags(frame)
        self.assertEqual(rewritten, api_versions_v3_response(9, [(0, 0, 11, b"\x00"), (18, 0, 4, entry_tags)], b"\x00"))

    def test_a_tag_size_written_as_a_multi_byte_varint_is_skipped_whole(self):
        big = bytes([1, 3]) + bytes([0x80 | 200 & 0x7F, 200 >> 7]) + bytes(200)  # one field of 200 bytes
        frame = api_versions_v3_response(1, [(3, 0, 12, b"\x00")], big)
        self.assertEqual(empty_api_versions_tags(frame), api_versions_v3_response(1, [(3, 0, 12, b"\x00")], b"\x00"))

    def test_frames_that_do_not_parse_to_their_end_are_refused(self):
        truncated = CAPTURED_TANSU_V3[:-3]
        trailing = CAPTURED_TANSU_V3 + b"\x00"
        # An UNSUPPORTED_VERSION reply in the v0 layout (int32 array length, no tags).
        v0_error = struct.pack(">ihi", 7, 35, 1) + struct.pack(">hhh", 18, 0, 3)
        for frame in (truncated, trailing, v0_error, b"\x00\x00\x00\x07"):
            with self.subTest(frame=frame.hex()[:40]):
                with self.assertRaises(MalformedFrame):
                    empty_api_versions_tags(frame)

    def test_unsigned_varints(self):
        self.assertEqual(read_unsigned_varint(b"\x00", 0), (0, 1))
        self.assertEqual(read_unsigned_varint(b"\x7f", 0), (127, 1))
        self.assertEqual(read_unsigned_varint(b"\x80\x01", 0), (128, 2))
        self.assertEqual(read_unsigned_varint(b"\xff\xff\xff\xff\x0f", 0), (0xFFFFFFFF, 5))
        with self.assertRaises(MalformedFrame):
            read_unsigned_varint(b"\x80", 0)
        with self.assertRaises(MalformedFrame):
            read_unsigned_varint(b"\xff\xff\xff\xff\xff\x01", 0)


class ConnectionRewriterTests(unittest.TestCase):
    def test_only_replies_to_api_versions_v3_and_later_are_rewritten(self):
        rewriter = ConnectionRewriter()
        rewriter.request(request(18, 3, 7))
        rewriter.request(request(3, 12, 8))  # Metadata
        rewriter.request(request(18, 2, 9))  # ApiVersions v2: not flexible, untouched
        metadata_reply = struct.pack(">i", 8) + b"\x00" + b"\x01" * 40
        v2_reply = struct.pack(">ih", 9, 0) + struct.pack(">i", 0)
        self.assertEqual(rewriter.response(CAPTURED_TANSU_V3), empty_api_versions_tags(CAPTURED_TANSU_V3))
        self.assertEqual(rewriter.response(metadata_reply), metadata_reply)
        self.assertEqual(rewriter.response(v2_reply), v2_reply)
        self.assertEqual(rewriter.rewritten, 1)

    def test_a_correlation_id_is_rewritten_once(self):
        rewriter = ConnectionRewriter()
        rewriter.request(request(18, 4, 7))
        self.assertNotEqual(rewriter.response(CAPTURED_TANSU_V3), CAPTURED_TANSU_V3)
        self.assertEqual(rewriter.response(CAPTURED_TANSU_V3), CAPTURED_TANSU_V3)

    def test_an_unparsable_api_versions_reply_is_forwarded_unchanged(self):
        rewriter = ConnectionRewriter()
        rewriter.request(request(18, 3, 7))
        v0_error = struct.pack(">ihi", 7, 35, 0)
        with self.assertLogs("kafka-proxy", "WARNING"):
            self.assertEqual(rewriter.response(v0_error), v0_error)

    def test_a_request_shorter_than_its_header_is_malformed(self):
        with self.assertRaises(MalformedFrame):
            ConnectionRewriter().request(b"\x00\x12\x00")


class FakeBroker:
    """Answers each request frame: ApiVersions with the captured Tansu reply (its correlation id
    replaced), anything else by echoing the frame back under the request's correlation id."""

    def __init__(self):
        self.accepted = 0

    async def handle(self, reader, writer):
        self.accepted += 1
        try:
            while True:
                (length,) = struct.unpack(">i", await reader.readexactly(4))
                frame = await reader.readexactly(length)
                api_key, _version, correlation_id = struct.unpack_from(">hhi", frame)
                reply = CAPTURED_TANSU_V3 if api_key == 18 else b"\x00\x00\x00\x00" + frame
                reply = struct.pack(">i", correlation_id) + reply[4:]
                writer.write(struct.pack(">i", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()  # the proxy went away, or the test's loop is ending


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class ProxyTests(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.broker = FakeBroker()
        self.broker_server = await asyncio.start_server(self.broker.handle, "127.0.0.1", 0)
        self.clock = FakeClock()
        self.proxy = KafkaProxy("127.0.0.1", self.broker_server.sockets[0].getsockname()[1], clock=self.clock)
        self.proxy_server = await asyncio.start_server(self.proxy.handle, "127.0.0.1", 0)
        self.port = self.proxy_server.sockets[0].getsockname()[1]

    async def asyncTearDown(self):
        self.proxy.cut(0)
        for server in (self.proxy_server, self.broker_server):
            server.close()
            await server.wait_closed()

    async def exchange(self, reader, writer, frame):
        writer.write(struct.pack(">i", len(frame)) + frame)
        await writer.drain()
        (length,) = struct.unpack(">i", await reader.readexactly(4))
        return await reader.readexactly(length)

    async def test_frames_pass_through_and_the_api_versions_reply_is_rewritten(self):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        reply = await self.exchange(reader, writer, request(18, 3, 42))
        self.assertEqual(reply, empty_api_versions_tags(struct.pack(">i", 42) + CAPTURED_TANSU_V3[4:]))
        big = request(0, 9, 43, bytes(range(256)) * 4096)  # 1 MiB "produce" request, echoed
        self.assertEqual(await self.exchange(reader, writer, big), struct.pack(">i", 43) + big)
        writer.close()
        self.assertEqual(self.proxy.connections, 1)

    async def test_pipelined_requests_are_answered_in_order(self):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        frames = [request(18, 3, 1), request(3, 12, 2), request(18, 3, 3)]
        for frame in frames:
            writer.write(struct.pack(">i", len(frame)) + frame)
        await writer.drain()
        replies = []
        for _ in frames:
            (length,) = struct.unpack(">i", await reader.readexactly(4))
            replies.append(await reader.readexactly(length))
        self.assertEqual([struct.unpack_from(">i", r)[0] for r in replies], [1, 2, 3])
        self.assertTrue(replies[0].endswith(b"\x00\x00\x00\x00\x00"))  # throttle 0, no tags
        self.assertTrue(replies[2].endswith(b"\x00\x00\x00\x00\x00"))
        writer.close()

    async def test_a_cut_ends_open_connections_and_refuses_new_ones_until_it_is_over(self):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        await self.exchange(reader, writer, request(3, 12, 1))
        self.assertEqual(self.proxy.cut(10), 1)
        self.assertEqual(await reader.read(), b"")  # the open connection ends
        writer.close()

        refused_reader, refused_writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.assertEqual(await refused_reader.read(), b"")  # closed at once, nothing relayed
        refused_writer.close()
        accepted_before = self.broker.accepted

        self.clock.now += 10  # the outage is over
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        reply = await self.exchange(reader, writer, request(3, 12, 2))
        self.assertEqual(struct.unpack_from(">i", reply)[0], 2)
        self.assertEqual(self.broker.accepted, accepted_before + 1)
        writer.close()

    async def test_an_unreachable_broker_closes_the_client_connection(self):
        self.broker_server.close()
        await self.broker_server.wait_closed()
        with self.assertLogs("kafka-proxy", "WARNING"):
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            self.assertEqual(await reader.read(), b"")
        writer.close()


if __name__ == "__main__":
    unittest.main()
