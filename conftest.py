"""Repository-wide pytest setup, loaded before any test or notebook kernel starts."""
import os

# A non-interactive backend inherited from the shell (MPLBACKEND=Agg on many CI
# machines) would reach the nbval kernels and strip every figure from the
# notebooks' outputs; the notebooks choose their own inline backend.
os.environ.pop("MPLBACKEND", None)
