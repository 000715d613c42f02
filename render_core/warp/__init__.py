"""Pixel-moving pieces of the classical warp renderer that draw on the whole clip, not just the
frame being edited: what the edited face shows but the frame does not (an open mouth's teeth,
a closed eyelid) is taken from another frame of the same clip and moved into place."""
