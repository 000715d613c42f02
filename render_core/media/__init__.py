"""Streaming media I/O: probe, frame-accurate decode, H.264 encode with audio stream copy."""
