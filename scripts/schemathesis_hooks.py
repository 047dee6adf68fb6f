"""schemathesis hooks for the gateway (loaded by scripts/schemathesis.sh): NDJSON bodies for
POST /v1/events/batch, which schemathesis cannot serialize by itself."""
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """One JSON value a line; a list is one line per item, anything else one line."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode("utf-8")
