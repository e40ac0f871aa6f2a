"""Views of the surveys app, one module per area; ``surveys/urls.py`` wires them."""
