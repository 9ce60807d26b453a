"""``calibrate``: fit uncertain parameters to dated sources with ABC-SMC (pyabc)."""
