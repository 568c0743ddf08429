"""``kg serve``: the graph as linked data people can open (see :mod:`kg.serve.app`)."""
