"""The body family's generators built from a config: what training trains and the renderer
loads (no discriminators), so rendering never imports the training step."""

from __future__ import annotations

from render_core.families.body.config import BodyConfig
from render_core.families.body.face_stage import FaceResidualGenerator, FaceStageConfig
from render_core.families.body.networks import BodyGenerator, BodyGeneratorConfig


def build_generators(cfg: BodyConfig) -> tuple[BodyGenerator, FaceResidualGenerator]:
    """The main generator and the face stage's residual generator of a config."""
    warp = 3 if getattr(cfg, "warp_input", False) else 0  # the moved frame, for a warp-guided G
    pool = int(getattr(cfg, "correction_pool", 1)) if warp else 1
    g = BodyGeneratorConfig(
        cfg.ngf, cfg.n_down, cfg.n_blocks, cfg.max_channels, warp_channels=warp, correction_pool=pool,
        feedback=bool(getattr(cfg, "feedback", True)),
    )  # fmt: skip
    face = FaceStageConfig(
        cfg.face_size, cfg.face_box_scale, cfg.face_ngf, cfg.face_n_down, cfg.face_n_blocks
    )
    return BodyGenerator(g), FaceResidualGenerator(face)
