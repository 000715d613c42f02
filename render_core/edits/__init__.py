"""Edit timeline (layers, keyframes, params) and pure edit operations on tracked faces/bodies."""
