"""The base every stage builds on: settings, the on-disk models, errors, atomic files, YAML and the number grammar.
Nothing in core imports another synth package."""
