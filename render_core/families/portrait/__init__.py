"""Portrait family (Deep Video Portraits): face edits and face reenactment through a personal
model trained on the user's talking-head footage."""

from render_core.families.portrait.config import EDIT_KINDS, KEEP_DETAIL, PRESETS
from render_core.families.registry import FamilyOption, FamilySpec, register

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
        options=(
            FamilyOption(
                "keep the footage's detail (hands near the face, home lighting)",
                KEEP_DETAIL,
                "The model draws only the mouth and eyes and moves the real pixels elsewhere: edits stay"
                " as sharp as the footage and never show a ghost of a hand, but the face learns less"
                " of the person (held-out frames gain little over the warp renderer). Training already"
                " keeps this way of drawing when it scores better on the held-out faces; the option"
                " keeps it whatever the score.",
            ),
        ),
    )
)
