"""Reads of the reports app, over the one read model of stored results (``maturity.read_model``):

- ``dashboard`` – the results dashboards (``get_dashboard``, one builder per section);
- ``annual`` – the annual report's content (``get_report_content``, one builder per section), its rounds,
  fingerprint and jobs.
"""
