"""Rotations, cameras (OpenCV convention), face topology, head space, pose normalization."""
