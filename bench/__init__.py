"""Benchmarks: the bot against the framework's floor, Pillow's naive path and growing data.

``python -m bench`` prints one table; every baseline is measured in the same run because the
machines are shared and noisy (absolute times are context, ratios are the result).
"""
