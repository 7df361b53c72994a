"""The activations and initialisation lab: statistics at initialisation, and training per scheme."""
