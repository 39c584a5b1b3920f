"""Reference CIMI 2.0 provider."""
