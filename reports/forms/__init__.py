"""Forms of the reports app: ``dashboard`` (the dashboard's filter), ``annual`` (ordering the annual report,
its conclusions)."""
