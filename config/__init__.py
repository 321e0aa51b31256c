"""Settings from the environment and the precinct's configuration files."""
