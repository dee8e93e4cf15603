#!/usr/bin/env python3
"""Independent implementation of connect link v1 (docs/connect-link.md), written from
the document with Python's standard library only (hmac, hashlib, base64). It writes
tests/vectors/connect-link-v1.json; the Rust tests check the crate against that file.

Run: python3 tests/vectors/connect_link_v1.py > tests/vectors/connect-link-v1.json
"""
import base64
import hashlib
import hmac
import json

LABEL = b"munity/connect-link/v1"
KEY_LABEL = b"munity/connect-link/v1/key"
BASE = "https://api.munityapps.com/v1/connect"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def form_encode(value: str) -> str:
    """application/x-www-form-urlencoded as the WHATWG URL standard writes it."""
    out = []
    for byte in value.encode("utf-8"):
        ch = chr(byte)
        if ch.isascii() and (ch.isalnum() or ch in "*-._"):
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def link_key(api_key: str) -> bytes:
    return hmac.new(api_key.encode("ascii"), KEY_LABEL, hashlib.sha256).digest()


def vector(name, api_key, workspace, customer, connector, now, ttl, nonce,
           redirect_uri=None, scope=None):
    fields = [
        ("v", "1"),
        ("workspace", workspace),
        ("customer", customer),
        ("connector", connector),
        ("key", api_key.split(".")[0]),
        ("exp", str(now + ttl)),
        ("nonce", b64url(nonce)),
    ]
    if redirect_uri is not None:
        fields.append(("redirect_uri", redirect_uri))
    if scope is not None:
        fields.append(("scope", scope))
    canonical = LABEL + b"\n"
    for key, value in fields:
        raw = value.encode("utf-8")
        canonical += key.encode("ascii") + b":" + str(len(raw)).encode("ascii") + b":" + raw + b"\n"
    key = link_key(api_key)
    sig = hmac.new(key, canonical, hashlib.sha256).digest()
    query = "&".join(k + "=" + form_encode(v) for k, v in fields + [("sig", b64url(sig))])
    return {
        "name": name,
        "api_key": api_key,
        "workspace": workspace,
        "customer": customer,
        "connector": connector,
        "now": now,
        "ttl_seconds": ttl,
        "nonce_hex": nonce.hex(),
        "redirect_uri": redirect_uri,
        "scope": scope,
        "expected": {
            "link_key_hex": key.hex(),
            "canonical": canonical.decode("utf-8"),
            "sig": b64url(sig),
            "query": query,
            "url": BASE + "?" + query,
        },
    }


VECTORS = [
    vector("minimal", "REM0aW39.NfO0123456789CNeHpF29wo012345678", "ws_1", "cus_42", "jira",
           1700000000, 600, bytes(range(16))),
    vector("redirect and scope", "REM0aW39.NfO0123456789CNeHpF29wo012345678", "ws_1", "cus_42",
           "jira", 1700000000, 3600, bytes([0xff] * 16),
           redirect_uri="https://app.example.com/done?x=1&y=a%20b~",
           scope="read:jira write:jira"),
    vector("encoded ids", "Ab3dEf7h.ZYXWVUTSRQPONMLKJIHGFEDCBA987654", "ws é/1", "client+42@acme.io",
           "google-drive", 1, 86400, bytes.fromhex("00112233445566778899aabbccddeeff"),
           redirect_uri="http://localhost:3000/cb"),
    vector("scope only, long customer", "zzzzzzzz.00000000000000000000000000000000", "w",
           "c" * 256, "x", 4102444800, 1, bytes.fromhex("fb" * 16), scope="a"),
]

if __name__ == "__main__":
    print(json.dumps({
        "description": "Connect link v1 known-answer vectors, computed by tests/vectors/connect_link_v1.py "
                       "(Python hmac/hashlib/base64, independent of the crate) from docs/connect-link.md.",
        "base_url": BASE,
        "vectors": VECTORS,
    }, indent=2, ensure_ascii=False))
