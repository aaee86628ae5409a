"""Benchmarks for minidl: per-op overhead and an MLP training step, against numpy and PyTorch.

Run ``python -m benchmarks.run`` (or ``python benchmarks/run.py``); ``--help`` lists the options.

This package must not import numpy at import time: ``benchmarks.run`` pins the BLAS/OpenMP thread counts through
environment variables, which only work if they are set before numpy (and torch) load.
"""
