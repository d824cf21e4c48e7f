"""The application around the domain: HTTP, persistence, security."""
