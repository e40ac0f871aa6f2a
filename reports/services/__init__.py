"""State changes of the reports app: ordering and building the annual report (``jobs``, ``building``),
the staff's conclusions (``conclusions``)."""
