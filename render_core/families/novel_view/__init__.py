"""Novel-view family (DeepVoxels): viewpoint edits of a still subject through a persistent
voxel grid learned from the user's image set with known cameras."""

from render_core.families.novel_view.config import EDIT_KINDS, PRESETS
from render_core.families.registry import FamilySpec, register

SPEC = register(
    FamilySpec(
        name="novel_view",
        title="Novel view (still subject)",
        summary="An image set around a still subject: learns the scene, for viewpoint edits and orbits.",
        trains_on="capture",
        edit_kinds=EDIT_KINDS,
        presets=PRESETS,
        trainer="render_core.families.novel_view.family:NovelViewFamily",
        renderer="render_core.families.novel_view.renderer:load_renderer",
    )
)
