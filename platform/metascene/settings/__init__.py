"""Settings modules: base (shared), local (the embedded default), test, production."""
