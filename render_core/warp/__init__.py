"""Moving the real pixels: face and body warps, mouth interior, clean plate; what the edited
face shows but the frame does not (an open mouth's teeth, a closed eyelid) is taken from
another frame of the same clip and moved into place."""
