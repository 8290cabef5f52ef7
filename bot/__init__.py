"""teachlog's application layer: settings, policy, services, jobs, i18n and the CLI."""
