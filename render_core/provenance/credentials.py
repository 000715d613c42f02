"""The per-install signing identity: an ES256 key, its certificate and a local root, made on
first use in the user's config folder and never shipped or committed.

Why a local root and not one self-signed certificate: C2PA refuses a self-signed signing
certificate, so the install makes a small CA (which `verify` trusts for files this install
signed) and a signing certificate under it. Everything lives in one PEM file (key, signing
certificate, root), created with a no-replace link so two exports starting at once agree on
one identity; the root alone is also written to `ca.pem` for sharing with people who verify.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from render_core.errors import InputError
from render_core.io_atomic import write_bytes_atomic
from render_core.paths import APP_NAME

ENV_DIR = "RENDER_STUDIO_C2PA_DIR"
BUNDLE_NAME = "signer.pem"
ROOT_NAME = "ca.pem"
VALID_DAYS = 3650
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----\n?", re.S)


@dataclass(frozen=True)
class Credentials:
    """PEM bytes: the private key, the signing chain (signing certificate then root), the root."""

    key_pem: bytes
    chain_pem: bytes
    root_pem: bytes
    path: Path


def credentials_dir() -> Path:
    """`$RENDER_STUDIO_C2PA_DIR`, else `$XDG_CONFIG_HOME/render-studio/c2pa` (~/.config by default)."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_NAME / "c2pa"


def load_credentials(create: bool = True) -> Credentials | None:
    """This install's identity, made now when absent and `create` (else None)."""
    bundle = credentials_dir() / BUNDLE_NAME
    if not bundle.exists():
        if not create:
            return None
        _publish_once(bundle, generate_bundle())
    creds = parse_bundle(bundle)
    root = bundle.with_name(ROOT_NAME)
    if not root.exists() or root.read_bytes() != creds.root_pem:
        write_bytes_atomic(root, creds.root_pem)
    return creds


def parse_bundle(bundle: Path) -> Credentials:
    """Split the PEM file into key, chain and root; InputError naming it when it is damaged."""
    blocks = [(m.group(1), m.group(0)) for m in _PEM_BLOCK.finditer(bundle.read_bytes())]
    keys = [b for kind, b in blocks if kind.endswith(b"PRIVATE KEY")]
    certs = [b for kind, b in blocks if kind == b"CERTIFICATE"]
    if len(keys) != 1 or len(certs) != 2:
        problem = "is not a signing identity (a key and 2 certificates); delete it to make a new one"
        raise InputError(bundle, problem)
    return Credentials(keys[0], certs[0] + certs[1], certs[1], bundle)


def _publish_once(path: Path, data: bytes) -> None:
    """Write `path` whole, unless another process got there first (then keep theirs)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signer-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:  # mkstemp's file is private (0600)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another export made one first: keep it
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def generate_bundle(now: dt.datetime | None = None) -> bytes:
    """A new P-256 root and signing certificate (C2PA's profile: digitalSignature, emailProtection
    usage, not a CA), as one PEM: key, signing certificate, root."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = now or dt.datetime.now(dt.UTC)
    user = os.environ.get("USER") or "user"

    def name(cn: str) -> x509.Name:
        org = x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Render Studio (local install)")
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), org])

    def builder(subject, issuer, key) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        )

    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    root = (
        builder(name(f"Render Studio root ({user})"), name(f"Render Studio root ({user})"), root_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(root_usage, critical=True)
        .sign(root_key, hashes.SHA256())
    )
    signing_usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    cert = (
        builder(name(f"Render Studio ({user})"), root.subject, key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(signing_usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key_pem + cert.public_bytes(pem) + root.public_bytes(pem)
