"""Sources: where records come from. Every source yields the same plain record dicts."""
