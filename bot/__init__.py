"""Application assembly and entry point of the Polmas field-reporting bot."""
