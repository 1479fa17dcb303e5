"""Schemathesis hooks of the contract run (loaded through SCHEMATHESIS_HOOKS by test/support/schemathesis.ts).

An Idempotency-Key (of POST /orders and of POST /inventory/{item}/adjustments) is single-use per request body: the same key with another body is refused (422, as
the IETF Idempotency-Key draft asks). The schema cannot say that, so a tester that draws the same key
("0") for two different bodies would read the refusal as "valid data rejected". Valid keys are made
unique per body by a suffix derived from the body; invalid keys stay as drawn, so their rejection is
still tested, and the same key with the same body (a retry) still meets a replay.
"""

import hashlib
import json
import re

import schemathesis

KEY = "idempotency-key"
VALID_KEY = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$")
SUFFIX_LENGTH = 13  # "." + 12 hex digits
MAX_KEY_LENGTH = 200


@schemathesis.hook("map_case").apply_to(method="POST", path="/orders")
def key_per_order_body(context, case):
    return key_per_body(case)


@schemathesis.hook("map_case").apply_to(method="POST", path="/inventory/{item}/adjustments")
def key_per_adjustment_body(context, case):
    return key_per_body(case)


def key_per_body(case):
    headers = case.headers
    if not headers:
        return case
    key = headers.get(KEY)
    if not isinstance(key, str) or not VALID_KEY.match(key) or len(key) > MAX_KEY_LENGTH - SUFFIX_LENGTH:
        return case
    body = json.dumps(case.body, sort_keys=True, default=str).encode()
    headers[KEY] = f"{key}.{hashlib.sha256(body).hexdigest()[:12]}"
    return case
