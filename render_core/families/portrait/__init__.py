"""Portrait family (Deep Video Portraits): face edits and face reenactment through a personal
model trained on the user's talking-head footage."""

from render_core.families.portrait.config import EDIT_KINDS, PRESETS
from render_core.families.registry import FamilySpec, register

SPEC = register(
    FamilySpec(
        name="portrait",
        title="Portrait (face)",
        summary="A talking head: learns the face, for expression, head pose and gaze edits and reenactment.",
        trains_on="face",
        edit_kinds=EDIT_KINDS,
        presets=PRESETS,
        trainer="render_core.families.portrait.family:PortraitFamily",
        renderer="render_core.families.portrait.renderer:load_renderer",
    )
)
