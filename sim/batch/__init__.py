"""Batch runs and sensitivity analysis: ``python run.py sensitivity SPEC.yaml``."""
