"""Validate a compose file (given as JSON) against the Compose Specification's JSON Schema.

An independent check of docker-compose.yml beside Debian's docker-compose: the current
specification, which agencies' Docker Compose v2 follows, read by Python's jsonschema.

Usage: python3 validate_compose.py SCHEMA.json DOCUMENT.json
The schema declares draft-07 in a form (https://json-schema.org/draft-07/schema) that jsonschema
does not recognise (it would fall back to 2020-12 with a warning), so Draft7Validator is named.
Prints one line per violation, with its JSON path, and exits 1 if there is any; prints
"valid" and exits 0 otherwise; exits 3 if the jsonschema package is missing.
"""
import json
import sys

try:
    from jsonschema import Draft7Validator
except ImportError:
    print("the Python package jsonschema is missing: pip install jsonschema", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as file:
        schema = json.load(file)
    with open(sys.argv[2], encoding="utf-8") as file:
        document = json.load(file)
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        location = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        print(f"{location}: {error.validator}: {error.message}")
    if errors:
        print(f"{len(errors)} violation(s) of the Compose Specification")
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
