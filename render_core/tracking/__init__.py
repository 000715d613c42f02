"""Face and body tracking with MediaPipe, One-Euro smoothing, head pose, tracks cache."""
