"""Render pipeline: edits -> conditioning -> renderer -> temporal -> composite -> encode."""
