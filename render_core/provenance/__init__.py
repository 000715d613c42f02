"""Content Credentials (C2PA): every export says, verifiably, that it was synthetically edited.

`manifest` builds what the credentials say (pure); `credentials` holds this install's signing
identity; `signing` and `verify` are the side-effect edge around the c2pa library; `export` is
the one hook the render pipeline calls.
"""

from render_core.provenance.export import sign_export

__all__ = ["sign_export"]
