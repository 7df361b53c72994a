"""The core every lab shares: optimizers (the registry), schedules, surfaces, descent, checks, datasets."""
