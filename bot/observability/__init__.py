"""Watching the service run: Prometheus metrics, the health check and its HTTP server, machine-readable logs."""
