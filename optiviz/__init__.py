"""optiviz: see how deep networks are trained.

The engine is pure NumPy; only ``optiviz.ui`` imports streamlit. Every process computes with one
OpenBLAS thread (``optiviz.core.blas_threads``; ``OPTIVIZ_BLAS_THREADS`` in the environment changes it).
"""

from optiviz.core.blas_threads import from_environment

from_environment()

__version__ = "0.1.0"
