"""Typer CLI: parse arguments, call one library function, print. One module per command group."""
