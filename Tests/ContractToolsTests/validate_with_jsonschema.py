"""Validate events with Python's jsonschema against the exported schemas in Topics/schemas/.

An independent check that the contracts are plain JSON Schema (draft 2020-12): whatever our
Swift validator accepts, a partner's Python validator must accept too.

Usage: python3 validate_with_jsonschema.py TOPICS_DIR [TYPE.vN] < events.ndjson
Each input line is one event; its schema is named by its eventType and schemaVersion, or by
TYPE.vN for messages that carry them in headers only (bus.notifications). Prints one line per invalid event and exits 1 if there is any;
exits 3 if the jsonschema package is missing.
"""
import json
import pathlib
import sys

try:
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError:
    print("the Python package jsonschema is missing: pip install jsonschema", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    schemas = pathlib.Path(sys.argv[1]) / "schemas"
    validators = {}
    invalid = 0
    checked = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        event = json.loads(line)
        name = sys.argv[2] if len(sys.argv) > 2 else f"{event.get('eventType')}.v{event.get('schemaVersion')}"
        if name not in validators:
            path = schemas / f"{name}.schema.json"
            if not path.exists():
                print(f"line {number}: no schema {path.name}")
                invalid += 1
                continue
            schema = json.loads(path.read_text())
            Draft202012Validator.check_schema(schema)
            validators[name] = Draft202012Validator(schema, format_checker=FormatChecker())
        errors = sorted(validators[name].iter_errors(event), key=lambda e: list(e.absolute_path))
        checked += 1
        for error in errors:
            location = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            print(f"line {number}: {name}: {location}: {error.validator}: {error.message}")
        invalid += bool(errors)
    print(f"checked {checked} events, {invalid} invalid")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
