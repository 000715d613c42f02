"""Moving the real pixels: face and body warps, mouth interior, clean plate."""
