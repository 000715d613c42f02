"""Model families, one package each (portrait, body), registered in `registry`."""
