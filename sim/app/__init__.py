"""The interactive Solara app: ``python run.py app``."""
