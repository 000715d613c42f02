"""Command-line adapters: build configs, call the same functions the studio calls."""
