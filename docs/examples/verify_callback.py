"""Verifies a Parley callback (Standard Webhooks signature) over the RAW body bytes, as received.

Standard library only. In Flask use request.get_data(); in Django request.body; in FastAPI await request.body() --
the bytes, before any form parsing.
Run as a script: python3 verify_callback.py <secret> <webhook-id> <webhook-timestamp> <webhook-signature> < body
"""
import base64
import hashlib
import hmac
import sys
import time

TOLERANCE_SECONDS = 5 * 60


def verify_callback(secret: str, headers: dict, raw_body: bytes, now: int = None) -> bool:
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not timestamp or not signatures or not timestamp.isdigit():
        return False
    # Refuse old or future-dated messages, so a captured request cannot be replayed later.
    if abs((now if now is not None else int(time.time())) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    if len(key) < 16:  # no secret (or a mangled one): anyone could sign with it
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + raw_body  # the bytes themselves, never decoded
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    for entry in signatures.split(" "):
        version, _, value = entry.partition(",")
        if version != "v1" or not value:
            continue
        try:
            given = base64.b64decode(value)
        except ValueError:
            continue
        if hmac.compare_digest(given, expected):
            return True
    return False


if __name__ == "__main__":
    secret, msg_id, timestamp, signature = sys.argv[1:5]
    headers = {"webhook-id": msg_id, "webhook-timestamp": timestamp, "webhook-signature": signature}
    valid = verify_callback(secret, headers, sys.stdin.buffer.read())
    print("valid" if valid else "invalid")
    sys.exit(0 if valid else 1)
