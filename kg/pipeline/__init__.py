"""The long runs that tie sources, mapping, validation, serializers and stores together:
``kg export`` (:mod:`~kg.pipeline.export`, writing through :mod:`~kg.pipeline.outputs`),
``kg load`` (:mod:`~kg.pipeline.load`), ``kg sync`` (:mod:`~kg.pipeline.sync`), query output
(:mod:`~kg.pipeline.query`) and how much of a record reaches the graph
(:mod:`~kg.pipeline.coverage`)."""
