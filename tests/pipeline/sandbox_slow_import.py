"""A module that takes two seconds of CPU to import, as trimesh and numpy take about one: preloaded by a test."""

import time

_start = time.process_time()
while time.process_time() - _start < 2:
    pass
