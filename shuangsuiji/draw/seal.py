"""The server secret sealed at rest (issue 16): from announcement until the draw runs, the
database holds only AES-256-GCM ciphertext under a key kept outside it (settings.DRAW_SEAL_KEY),
so whoever reads the database cannot try witness numbers until the outcome suits them. The
draw's public id is the associated data: a sealed secret copied onto another draw does not open.

Token: "v1." + base64url(12-byte nonce ‖ ciphertext ‖ 16-byte tag)."""

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from shuangsuiji.core.errors import DomainError

_PREFIX = "v1."
# the purpose label: the same configured key may serve other uses (it defaults to SECRET_KEY),
# and HKDF with its own label keeps this key apart from theirs
_INFO = b"ssj-draw-secret-seal-v1"


def _aead(key: str | None) -> AESGCM:
    material = (key if key is not None else settings.DRAW_SEAL_KEY).encode()
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(material))


def seal(secret_hex: str, *, draw_id: str, key: str | None = None) -> str:
    nonce = os.urandom(12)
    sealed = _aead(key).encrypt(nonce, bytes.fromhex(secret_hex), draw_id.encode())
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(token: str, *, draw_id: str, key: str | None = None) -> str:
    if not token.startswith(_PREFIX):
        raise DomainError(f"{draw_id} 的服务器密钥格式无法识别，不能解密")
    raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
    try:
        return _aead(key).decrypt(raw[:12], raw[12:], draw_id.encode()).hex()
    except InvalidTag:
        raise DomainError(
            f"{draw_id} 的服务器密钥无法解密：密封密钥（SHUANGSUIJI_DRAW_SEAL_KEY）不符，或密文不属于本次抽取"
        ) from None
