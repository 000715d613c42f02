"""Render core: media, tracking, edits, conditioning, models, training and rendering.

Never imports Qt; the studio is an adapter over these functions, and so is the CLI.
"""

__version__ = "0.1.0"
