"""What operators watch: Prometheus metrics (``metrics``: what the processes count; ``pipeline``: what is read from
the database and the broker when Prometheus scrapes) and the JSON log lines of production (``logs``)."""
