"""The project document and its folder on disk (see document.py and io.py)."""
