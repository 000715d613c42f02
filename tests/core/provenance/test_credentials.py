"""The per-install signing identity: made once, private, reused, refused when damaged."""

from __future__ import annotations

import stat

import pytest
from cryptography import x509

from render_core.errors import InputError
from render_core.provenance.credentials import (
    BUNDLE_NAME,
    ENV_DIR,
    ROOT_NAME,
    _publish_once,
    generate_bundle,
    load_credentials,
)


@pytest.fixture
def key_dir(tmp_path, monkeypatch):
    folder = tmp_path / "id"
    monkeypatch.setenv(ENV_DIR, str(folder))
    return folder


def test_made_on_first_use_private_and_then_reused(key_dir):
    assert load_credentials(create=False) is None and not key_dir.exists()
    first = load_credentials()
    assert stat.S_IMODE((key_dir / BUNDLE_NAME).stat().st_mode) == 0o600
    assert (key_dir / ROOT_NAME).read_bytes() == first.root_pem
    assert load_credentials() == first
    assert [p.name for p in key_dir.iterdir() if p.name not in (BUNDLE_NAME, ROOT_NAME)] == []


def test_the_signing_certificate_is_an_es256_leaf_under_the_install_root(key_dir):
    creds = load_credentials()
    leaf, root = x509.load_pem_x509_certificates(creds.chain_pem)
    assert leaf.issuer == root.subject and leaf.signature_algorithm_oid.dotted_string == "1.2.840.10045.4.3.2"
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_a_second_writer_keeps_the_identity_already_there(key_dir):
    load_credentials()
    before = (key_dir / BUNDLE_NAME).read_bytes()
    _publish_once(key_dir / BUNDLE_NAME, generate_bundle())
    assert (key_dir / BUNDLE_NAME).read_bytes() == before


def test_a_damaged_identity_is_one_line_naming_the_file(key_dir):
    key_dir.mkdir()
    (key_dir / BUNDLE_NAME).write_text("not a key")
    with pytest.raises(InputError) as e:
        load_credentials()
    assert BUNDLE_NAME in e.value.one_line() and "\n" not in e.value.one_line()
