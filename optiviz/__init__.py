"""optiviz: see how deep networks are trained.

The engine is pure NumPy; only ``optiviz.ui`` imports streamlit.
"""

__version__ = "0.1.0"
