"""The PySide6 studio: a view over `render_core` (napari-style model/view; Picard-style pools)."""
