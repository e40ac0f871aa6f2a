"""Views of the reports app: the results dashboards (dashboards.py) and the annual report."""
