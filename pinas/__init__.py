"""pinas: weight-sharing NAS search spaces, supernet training and search."""
