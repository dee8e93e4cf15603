"""Live SigV4 peer for tests/protocol/auth_botocore.rs.

Generates a reproducible set of requests (methods, paths with odd characters, dot and
empty segments, repeated query keys in several wire encodings, headers with extra
spaces and tabs, repeated headers, bodies, session tokens, unsigned payloads), signs
each with botocore's own SigV4Auth, and prints them as JSON: the wire URL and headers
the Rust side signs, and botocore's Authorization header.

Usage: PYTHONPATH=.tools/python python3 scripts/botocore_sigv4.py [--cases N] [--seed S]
"""

import argparse
import base64
import datetime
import json
import random
import sys
from urllib.parse import quote, quote_plus

import botocore
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BASE_TIME = 1_763_900_000  # 2025-11-23T12:13:20Z

SEGMENTS = [
    "orders", "a b", "ü", "ሴ", "100%", "x+y", "it's", "(1)", "*", "!", "a:b", "me@x",
    "k=v", "a&b", "$5", "a,b", "a;b", "~tilde", "-_.", "a/b", ".", "..", "", "CamelCase",
]
KEYS = ["a", "b", "Param", "x y", "ü", "flag", "A", "key~", "e=q"]
VALUES = ["1", "2", "", "x y", "a+b", "a=b&c", "/path/", "ü", "~-_.", "*", "%", "Z"]
HEADER_NAMES = ["X-Custom", "x-amz-meta-note", "Content-Type", "Accept", "X-Repeat",
                "User-Agent", "X-Amzn-Trace-Id", "Connection"]
HEADER_VALUES = ["value", "  leading", "trailing  ", "in   the   middle", "\ttab\tsep ",
                 "a, b", '"quoted   text"', "application/json", "UPPER lower"]
HOSTS = ["example.amazonaws.com", "abc123.execute-api.eu-west-1.amazonaws.com",
         "Mixed.Case.Example.com", "localhost:8443"]
SERVICES = ["execute-api", "service", "dynamodb", "sqs"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+token=="


def wire_segment(segment, rng):
    """A path segment as a client sends it: percent-encoded, sub-delims left alone."""
    return quote(segment, safe="!*'():@=&$,;+~" if rng.random() < 0.5 else "")


def wire_query(pairs, rng):
    """The query as a client sends it, in one of several equivalent encodings."""
    style = rng.choice(["quote", "plus", "lowerhex"])
    parts = []
    for key, value in pairs:
        if style == "plus":
            k, v = quote_plus(key, safe="~"), quote_plus(value, safe="~")
        else:
            k, v = quote(key, safe="~"), quote(value, safe="~")
            if style == "lowerhex":
                k, v = lower_escapes(k), lower_escapes(v)
        parts.append(k if (key == "flag" and value == "") else f"{k}={v}")
    return "&".join(parts)


def lower_escapes(text):
    out, i = [], 0
    while i < len(text):
        if text[i] == "%":
            out.append(text[i:i + 3].lower())
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def generate(rng, index):
    method = rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
    host = rng.choice(HOSTS)
    scheme = "http" if rng.random() < 0.15 else "https"
    port = ":443" if scheme == "https" and ":" not in host and rng.random() < 0.1 else ""
    segments = [rng.choice(SEGMENTS) for _ in range(rng.randint(0, 4))]
    path = "/" + "/".join(wire_segment(s, rng) for s in segments)
    if rng.random() < 0.2:
        path += "/"
    if rng.random() < 0.1:
        path = "/" + path
    pairs = [(rng.choice(KEYS), rng.choice(VALUES)) for _ in range(rng.randint(0, 5))]
    if rng.random() < 0.3 and pairs:
        pairs.append((pairs[0][0], rng.choice(VALUES)))  # repeated key
    headers = []
    for _ in range(rng.randint(0, 4)):
        name = rng.choice(HEADER_NAMES)
        headers.append([name, rng.choice(HEADER_VALUES)])
    if rng.random() < 0.3:
        headers.append(["X-Repeat", "first  one"])
        headers.append(["X-Repeat", " second"])
    body = b""
    if method in ("POST", "PUT", "PATCH") and rng.random() < 0.8:
        body = rng.choice([
            json.dumps({"id": index, "name": "ü  x"}).encode(),
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))),
            b"Param1=value1&Param2=value%202",
        ])
    return {
        "method": method,
        "scheme": scheme,
        "host": host + port,
        "path": path,
        "pairs": pairs,
        "query": wire_query(pairs, rng),
        "headers": headers,
        "body": body,
        "token": TOKEN if rng.random() < 0.35 else None,
        "unsigned": scheme == "https" and rng.random() < 0.2,
        "service": rng.choice(SERVICES),
        "region": rng.choice(REGIONS),
        "time": BASE_TIME + index * 7919,
    }


def sign(case):
    moment = datetime.datetime.fromtimestamp(case["time"], datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: moment.replace(tzinfo=None)
    url = f"{case['scheme']}://{case['host']}{case['path']}"
    # botocore encodes the raw (decoded) parameters itself: an independent check of
    # our decoding of the wire query.
    request = AWSRequest(method=case["method"], url=url, data=case["body"],
                         params=list(case["pairs"]))
    for name, value in case["headers"]:
        request.headers[name] = value  # appends: repeated names stay repeated
    # A credential record always has a content type (the test's is json), which
    # munity::auth::apply sets on a request that has a body and no Content-Type.
    if case["body"] and not any(n.lower() == "content-type" for n, _ in case["headers"]):
        request.headers["Content-Type"] = "application/json"
    if case["unsigned"]:
        request.context["payload_signing_enabled"] = False
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                              case["token"])
    SigV4Auth(credentials, case["service"], case["region"]).add_auth(request)
    return request.headers["Authorization"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = []
    for index in range(args.cases):
        case = generate(rng, index)
        authorization = sign(case)
        query = case["query"]
        out.append({
            "method": case["method"],
            "url": f"{case['scheme']}://{case['host']}{case['path']}" + (f"?{query}" if query else ""),
            "headers": case["headers"],
            "body_base64": base64.b64encode(case["body"]).decode(),
            "session_token": case["token"],
            "unsigned_payload": case["unsigned"],
            "service": case["service"],
            "region": case["region"],
            "time": case["time"],
            "authorization": authorization,
        })
    json.dump({"botocore": botocore.__version__, "cases": out}, sys.stdout)


if __name__ == "__main__":
    main()
