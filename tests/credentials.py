"""What a test signs in with: the TOTP code of a person's secret (RFC 6238) and the Z85 keys of
a czmq CURVE certificate file (tests import these from harness)."""
import base64
import hashlib
import hmac
import re
import struct
import time


def totp(secret, at=None, step=0):
    """The RFC 6238 code of a base32 secret at unix time `at` (default now), `step` steps away."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30) + step
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


def zpl_keys(path):
    """The (public, secret) Z85 keys of a czmq certificate file (secret None in a public one)."""
    with open(path) as f:
        text = f.read()
    public = re.search(r'public-key = "(.{40})"', text).group(1).encode()
    secret = re.search(r'secret-key = "(.{40})"', text)
    return public, secret.group(1).encode() if secret else None
