"""Scheduled jobs: reminders, overdue warnings, digests and summaries."""
