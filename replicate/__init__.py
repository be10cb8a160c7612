"""The experiment side of synth, installed as synth.replicate. Folders, lowest first (imports point down only;
tests/test_layout.py checks it): experiments/ and tasks/ (YAML as data, with their schemas and generators) →
data/ → evaluation/ → training/ → pipeline/ → study/."""
