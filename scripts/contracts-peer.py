"""The peer `reentrybus bench contracts` compares our contract checks with: orjson parses the
event's bytes and jsonschema-rs (Rust, formats asserted) says whether the result satisfies the
contract's generated JSON Schema, as fast as either is available from PyPI.

Usage: python contracts-peer.py --seconds S --rounds R NAME=SCHEMA_FILE:EVENT_FILE ...
Prints one line per event: `NAME <parse + validate events/s> <parse-only events/s>`, each the
best of R rounds of S seconds, the way the Swift side measures. Exits 2 if an event is not
valid under its schema (the two sides must measure the same verdict).
"""

import argparse
import json
import sys
import time

import jsonschema_rs
import orjson


def best_rate(body, seconds, rounds):
    best = 0.0
    for _ in range(rounds):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            for _ in range(100):
                body()
            count += 100
        best = max(best, count / (time.perf_counter() - start))
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("events", nargs="+", help="NAME=SCHEMA_FILE:EVENT_FILE")
    options = parser.parse_args()
    for spec in options.events:
        name, files = spec.split("=", 1)
        schema_file, event_file = files.split(":", 1)
        with open(schema_file, "rb") as f:
            schema = json.load(f)
        with open(event_file, "rb") as f:
            data = f.read()
        validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
        if not validator.is_valid(orjson.loads(data)):
            print(f"{name}: the event is not valid under its schema", file=sys.stderr)
            sys.exit(2)
        both = best_rate(lambda: validator.is_valid(orjson.loads(data)), options.seconds, options.rounds)
        parse = best_rate(lambda: orjson.loads(data), options.seconds, options.rounds)
        print(f"{name} {both:.0f} {parse:.0f}", flush=True)


if __name__ == "__main__":
    main()
