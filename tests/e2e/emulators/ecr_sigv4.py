"""SigV4 as an AWS service checks it: recompute the signature of a received
request from the secret the emulator knows, and say what AWS would say when it
does not match. Written from the AWS documentation, apart from the plugin's C++
signer, and checked against AWS's own test suite by test_plugin_ecr.py."""
import datetime
import hashlib
import hmac
import re
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/\s]+)/(?P<date>\d{8})/(?P<region>[^/\s]+)/"
    r"(?P<service>[^/\s]+)/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;._-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$")
# AWS refuses a request whose X-Amz-Date is this far from its clock.
MAX_SKEW = datetime.timedelta(minutes=15)
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")


class Refusal(Exception):
    """What AWS answers for a badly signed request: an error type and message."""

    def __init__(self, error_type, message):
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message


def _encode(text, safe=""):
    return urllib.parse.quote(text, safe="-_.~" + safe)


def canonical_path(path, normalize=True):
    path = urllib.parse.unquote(path) or "/"
    if not normalize:
        return _encode(path, "/")
    segments = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    result = "".join("/" + _encode(s) for s in segments)
    return result + "/" if not result or path.endswith("/") else result


def canonical_query(raw_query):
    pairs = []
    for item in raw_query.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        pairs.append((_encode(urllib.parse.unquote(key)), _encode(urllib.parse.unquote(value))))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_headers(headers, signed_names):
    """headers: [(name, value)] as received (repeats in order)."""
    lines = []
    for name in signed_names:
        values = [" ".join(v.split()) for n, v in headers if n.lower() == name]
        lines.append(f"{name}:{','.join(values)}\n")
    return "".join(lines)


def signing_key(secret, date, region, service):
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature(secret, method, path, raw_query, headers, signed_names, body, amz_date, region, service,
              normalize=True):
    """(canonical request, string to sign, hex signature)."""
    canonical = "\n".join([method, canonical_path(path, normalize), canonical_query(raw_query),
                           canonical_headers(headers, signed_names), ";".join(signed_names),
                           hashlib.sha256(body).hexdigest()])
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    digest = hmac.new(signing_key(secret, amz_date[:8], region, service), to_sign.encode(),
                      hashlib.sha256).hexdigest()
    return canonical, to_sign, digest


def verify(request, secret_of, region, service, now=None):
    """Checks request (an ecr_http.Request) and returns its access key id.

    secret_of(access key id) -> secret access key, or None for an unknown key.
    Raises Refusal with the error AWS would give."""
    header = request.headers.get("Authorization")
    if not header:
        raise Refusal("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = AUTHORIZATION.match(header)
    if not match:
        raise Refusal("IncompleteSignatureException",
                      f"Authorization header requires 'Credential', 'Signature' and 'SignedHeaders'. "
                      f"Authorization={header.split(' ')[0]}")
    key = match["key"]
    secret = secret_of(key)
    if secret is None:
        raise Refusal("UnrecognizedClientException", "The security token included in the request is invalid.")
    if match["service"] != service:
        raise Refusal("InvalidSignatureException",
                      f"Credential should be scoped to correct service: '{service}'. ")
    if match["region"] != region:
        raise Refusal("InvalidSignatureException",
                      "Credential should be scoped to a valid region. ")
    amz_date = request.headers.get("X-Amz-Date") or ""
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise Refusal("IncompleteSignatureException", "X-Amz-Date is missing or malformed")
    if amz_date[:8] != match["date"]:
        raise Refusal("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from X-Amz-Date")
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if abs(now - when) > MAX_SKEW:
        raise Refusal("InvalidSignatureException", f"Signature expired: {amz_date} is now earlier than allowed")
    signed = match["signed"].split(";")
    if "host" not in signed or "x-amz-date" not in signed or signed != sorted(signed):
        raise Refusal("InvalidSignatureException", "SignedHeaders must be sorted and include host and x-amz-date")
    received = list(request.headers.items())
    _, _, expected = signature(secret, request.method, request.route, request.raw_query, received, signed,
                               request.body, amz_date, region, service)
    if not hmac.compare_digest(expected, match["signature"]):
        raise Refusal("InvalidSignatureException", MISMATCH)
    return key
