"""synth: literature synthesis plus replication for ML research."""

__version__ = "0.1.0"
