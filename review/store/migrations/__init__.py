"""Migration modules `mNNNN_name.py`, each with `upgrade(op, conn)` and, when it creates
objects the models do not describe (FTS tables), `create_fresh(conn)` for new databases."""
