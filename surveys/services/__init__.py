"""Every state change of the surveys app, one function per use case."""
