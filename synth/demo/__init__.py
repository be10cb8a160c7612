"""The offline demo and the material it makes: generated example papers and a loopback arXiv server."""
