"""Every state change of the domain is a function here, named ``<entity>_<verb>`` with keyword-only arguments."""
