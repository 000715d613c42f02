"""Body family (Everybody Dance Now): body-pose edits and motion transfer through a personal
model trained on the user's full-body footage."""

from render_core.families.body.config import EDIT_KINDS, PRESETS, UNSEEN_POSE_SHIFT
from render_core.families.registry import FamilyOption, FamilySpec, register

SPEC = register(
    FamilySpec(
        name="body",
        title="Body (full figure)",
        summary="A full body in view: learns the person, for body pose edits and dance (motion) transfer.",
        trains_on="body",
        edit_kinds=EDIT_KINDS,
        presets=PRESETS,
        trainer="render_core.families.body.family:BodyFamily",
        renderer="render_core.families.body.renderer:load_renderer",
        options=(
            FamilyOption(
                "for dances with poses the clip never shows",
                {"shift_augment": UNSEEN_POSE_SHIFT},
                "Shifts each training pair at random inside the crop: motion transfers follow unseen"
                " driving poses closer, held-out frames of the clip come out less sharp.",
            ),
        ),
    )
)
