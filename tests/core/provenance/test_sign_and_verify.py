"""Signing a finished export and checking it back: intact, tampered, unsigned, foreign."""

from __future__ import annotations

import shutil

import av
import cv2
import numpy as np

from render_core.provenance.credentials import ENV_DIR, load_credentials
from render_core.provenance.signing import sign_sequence, sign_video
from render_core.provenance.verify import judge, verify


def video_byte_offset(path) -> int:
    """A byte in the middle of the first sizeable video packet (inside `mdat`)."""
    with av.open(str(path)) as c:
        for packet in c.demux(video=0):
            if packet.pos is not None and packet.size > 32:
                return packet.pos + packet.size // 2
    raise AssertionError("no video packet")


def flip_byte(path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_signed_video_verifies_with_what_was_edited(clip, manifest):
    sign_video(clip, manifest, load_credentials())
    v = verify(clip)
    assert v.valid and v.signature == "valid" and v.binding == "valid" and v.trusted, v
    assert v.summary["action"] == "c2pa.edited" and v.summary["digital_source_type"] == "algorithmicMedia"
    assert v.summary["edits"] == ["expression 2-7"] and v.summary["renderer"] == "warp"
    assert v.summary["source"]["content_hash"] == "0123456789abcdef"
    with av.open(str(clip)) as c:  # still a playable file, every frame decodes
        assert sum(1 for _ in c.decode(video=0)) == 12
    assert not list(clip.parent.glob("*.signing*"))


def test_one_changed_byte_of_the_video_stream_fails_the_hard_binding(clip, manifest):
    sign_video(clip, manifest, load_credentials())
    flip_byte(clip, video_byte_offset(clip))
    v = verify(clip)
    assert not v.valid and v.binding == "mismatch"
    assert "changed after signing" in v.problem and "\n" not in v.problem


def test_an_unsigned_file_has_no_credentials(clip):
    v = verify(clip)
    assert not v.valid and v.signature == "missing" and "no Content Credentials" in v.problem


def test_a_file_signed_by_another_install_is_intact_but_not_trusted(clip, manifest, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "other-install"))
    sign_video(clip, manifest, load_credentials())
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "this-install"))
    load_credentials()
    v = verify(clip)
    assert v.valid and not v.trusted


def write_frames(folder, n: int = 3):
    folder.mkdir()
    for k in range(n):
        frame = np.full((16, 24, 3), 40 * k, np.uint8)
        cv2.imwrite(str(folder / f"seq_{k:06d}.png"), frame)


def test_a_png_sequence_gets_a_sidecar_that_covers_every_frame(tmp_path, manifest):
    folder = tmp_path / "seq"
    write_frames(folder)
    sidecar = sign_sequence(folder, manifest, load_credentials())
    assert sidecar.name == "manifest.c2pa"
    assert verify(folder).valid
    for change in ("edit", "add", "remove"):
        copy = tmp_path / change
        shutil.copytree(folder, copy)
        if change == "edit":
            flip_byte(copy / "seq_000002.png", 40)
        elif change == "add":
            shutil.copy(copy / "seq_000000.png", copy / "seq_000003.png")
        else:
            (copy / "seq_000001.png").unlink()
        v = verify(copy)
        assert not v.valid and "Content Credentials invalid" in v.problem, change


def test_judge_separates_trust_from_integrity():
    ok = {
        "success": [{"code": "assertion.bmffHash.match"}],
        "failure": [{"code": "signingCredential.untrusted"}],
    }
    assert judge("f", {"activeManifest": ok}, {}).valid
    forged = {
        "success": [{"code": "assertion.bmffHash.match"}],
        "failure": [{"code": "claimSignature.mismatch"}],
    }
    v = judge("f", {"activeManifest": forged}, {})
    assert not v.valid and v.signature == "invalid" and "signature" in v.problem
    unbound = judge("f", {"activeManifest": {"success": [], "failure": []}}, {})
    assert not unbound.valid and unbound.binding == "missing"
