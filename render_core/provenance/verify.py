"""Checking an export's Content Credentials: is the signature intact, does the hard binding
still match the bytes, and who signed it.

A file signed by another install is intact but its root is unknown here: it verifies, with
`trusted` False. Any failure of the claim signature, a hashed assertion or the hard binding
(one byte of the video changed) makes it invalid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from render_core.media.image_sequence import MANIFEST_NAME
from render_core.provenance.credentials import load_credentials
from render_core.provenance.manifest import EDITS_LABEL, FILES_LABEL, mime_type
from render_core.provenance.signing import file_sha256, frame_files

UNTRUSTED = "signingCredential.untrusted"
BINDING_PREFIXES = ("assertion.bmffHash", "assertion.dataHash", "assertion.boxesHash")
INFORMATIONAL = {"signingCredential.ocsp.skipped", "signingCredential.ocsp.unknown"}


@dataclass(frozen=True)
class Verdict:
    """problem: None when valid, else one line; summary: what the manifest says."""

    path: str
    problem: str | None
    signature: str  # valid | invalid | missing
    binding: str  # valid | mismatch | missing
    trusted: bool = False
    signer: str = ""
    summary: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.problem is None


def verify(path: str | Path) -> Verdict:
    """The verdict on an export: an MP4 / MOV file, or a PNG sequence's folder."""
    p = Path(path)
    if p.is_dir():
        return _verify_sequence(p)
    if not p.is_file():
        return _missing(p, "no such file or folder")
    if mime_type(p) in (None, "image/png"):
        return _missing(p, "is not an MP4 / MOV export or a PNG sequence folder")
    return _verify_reader(p, lambda c2pa, ctx: c2pa.Reader(str(p), context=ctx))


def _missing(p: Path, problem: str) -> Verdict:
    return Verdict(str(p), problem, "missing", "missing")


def _verify_sequence(folder: Path) -> Verdict:
    sidecar = folder / MANIFEST_NAME
    frames = frame_files(folder)
    if not sidecar.is_file() or not frames:
        return _missing(folder, f"has no Content Credentials ({MANIFEST_NAME} or frames missing)")
    data = sidecar.read_bytes()
    verdict = _verify_reader(
        folder,
        lambda c2pa, ctx: c2pa.Reader("image/png", io.BytesIO(frames[0].read_bytes()), data, context=ctx),
    )
    if not verdict.valid:
        return verdict
    problem = frames_problem(verdict.summary.pop("files", []), frames)
    if problem is None:
        return verdict
    return Verdict(
        str(folder), problem, verdict.signature, "mismatch", verdict.trusted, verdict.signer, verdict.summary
    )


def frames_problem(listed: list[dict], frames: list[Path]) -> str | None:
    """None when the folder's frames are exactly the signed ones, else what differs."""
    signed = {f["name"]: f["hash"] for f in listed}
    present = {p.name: p for p in frames}
    for name in sorted(set(signed) | set(present)):
        if name not in present:
            return f"Content Credentials invalid: frame {name} is signed but missing"
        if name not in signed:
            return f"Content Credentials invalid: frame {name} is not covered by the manifest"
        if file_sha256(present[name]) != signed[name]:
            return f"Content Credentials invalid: frame {name} changed after signing"
    return None


def _verify_reader(p: Path, open_reader) -> Verdict:
    import c2pa

    settings = {"verify": {"verify_trust": True}}
    creds = load_credentials(create=False)
    if creds is not None:
        settings["trust"] = {"user_anchors": creds.root_pem.decode("ascii")}
    try:
        with c2pa.Context.from_dict(settings) as ctx, open_reader(c2pa, ctx) as reader:
            results = reader.get_validation_results() or {}
            manifest = reader.get_active_manifest() or {}
    except c2pa.C2paError.ManifestNotFound:
        return _missing(p, "carries no Content Credentials")
    except c2pa.C2paError as e:
        return _missing(p, f"has unreadable Content Credentials ({str(e).splitlines()[0]})")
    return judge(str(p), results, manifest)


def judge(path: str, results: dict, manifest: dict) -> Verdict:
    """A verdict from c2pa's validation results and the active manifest (pure)."""
    active = results.get("activeManifest", results)
    failures = [f["code"] for f in active.get("failure", []) if f["code"] not in INFORMATIONAL]
    passed = [s["code"] for s in active.get("success", [])]
    binding_failed = [c for c in failures if c.startswith(BINDING_PREFIXES)]
    other_failed = [c for c in failures if c != UNTRUSTED and c not in binding_failed]
    binding = (
        "mismatch"
        if binding_failed
        else ("valid" if any(c.startswith(BINDING_PREFIXES) for c in passed) else "missing")
    )
    signature = "invalid" if other_failed else "valid"
    problem = None
    if binding == "mismatch":
        problem = (
            "Content Credentials invalid: the content changed after signing (hard binding mismatch: "
            + ", ".join(binding_failed)
            + ")"
        )
    elif other_failed:
        problem = "Content Credentials invalid: the signature does not hold (" + ", ".join(other_failed) + ")"
    elif binding == "missing":
        problem = "Content Credentials invalid: no hard binding to the content"
    signer = manifest.get("signature_info", {}).get("common_name", "")
    return Verdict(path, problem, signature, binding, UNTRUSTED not in failures, signer, summarize(manifest))


def summarize(manifest: dict) -> dict:
    """What the active manifest says: action, source type, renderer, model, edits, source."""
    assertions = {a.get("label"): a.get("data", {}) for a in manifest.get("assertions", [])}
    actions = assertions.get("c2pa.actions.v2", {}).get("actions", [])
    edited = next((a for a in actions if a.get("action") == "c2pa.edited"), {})
    edits = assertions.get(EDITS_LABEL, {})
    out = {
        "claim_generator": ", ".join(
            f"{g.get('name', '')} {g.get('version', '')}".strip()
            for g in manifest.get("claim_generator_info", [])
        ),
        "action": edited.get("action"),
        "digital_source_type": str(edited.get("digitalSourceType", "")).rsplit("/", 1)[-1] or None,
        "renderer": edits.get("renderer"),
        "model": edits.get("model"),
        "edits": [f"{e['kind']} {e['start']}-{e['end']}" for e in edits.get("edits", [])],
        "source": edits.get("source", {}),
    }
    if FILES_LABEL in assertions:
        out["files"] = assertions[FILES_LABEL].get("files", [])
    return out
