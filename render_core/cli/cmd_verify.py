"""`main.py verify FILE`: check an export's Content Credentials (C2PA).

Prints what the manifest says (action, digital source type, renderer, model, edits, source
clip) and whether the signature and the hard binding hold. Exit 0 when both do; 2 with one
line naming the file and the problem when the credentials are missing or broken.
"""

from __future__ import annotations

import sys

from render_core.errors import InputError
from render_core.jobs import JobContext

NAME = "verify"
HELP = "check an export's Content Credentials: signature, hard binding, what was edited"


def add_arguments(p) -> None:
    p.add_argument("file", help="an exported MP4 / MOV, or a PNG sequence's folder")


def report(verdict) -> dict:
    """The summary the runner prints: the verdict's checks, then what the manifest says."""
    source = verdict.summary.get("source") or {}
    return {
        "file": verdict.path,
        "signature": verdict.signature,
        "hard_binding": verdict.binding,
        "signer": f"{verdict.signer} ({'this install' if verdict.trusted else 'unknown root'})",
        **{k: v for k, v in verdict.summary.items() if k != "source"},
        "source": f"{source.get('title')} (content hash {source.get('content_hash')})" if source else None,
    }


def run(args, ctx: JobContext) -> dict:
    from render_core.provenance.verify import verify

    ctx.step(0, 1, "verifying")
    verdict = verify(args.file)
    if verdict.valid:
        return report(verdict)
    if verdict.summary and not (args.quiet or args.json):
        for key, value in report(verdict).items():
            print(f"{key}: {value}", file=sys.stdout)
    raise InputError(args.file, verdict.problem)
