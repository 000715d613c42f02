"""Body family (Everybody Dance Now): body-pose edits and motion transfer through a personal
model trained on the user's full-body footage."""

from render_core.families.body.config import EDIT_KINDS, PRESETS, UNSEEN_POSE_SHIFT
from render_core.families.registry import FamilySpec, register

SPEC = register(
    FamilySpec(
        name="body",
        title="Body (full figure)",
        summary="Body-pose edits and dance transfer of a person seen head to feet.",
        trains_on="body",
        edit_kinds=EDIT_KINDS,
        presets=PRESETS,
        trainer="render_core.families.body.family:BodyFamily",
        renderer="render_core.families.body.renderer:load_renderer",
        options={"for dances with poses the clip never shows": {"shift_augment": UNSEEN_POSE_SHIFT}},
    )
)
