from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed only for its management commands (load_demo_data, demo_totp_code); it has no models."""

    name = "dimios_web.demo"
    label = "demo"
