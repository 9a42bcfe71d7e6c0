"""The built-in hotline simulator: plays the PBX (Asterisk queue_log) and the CRM, writing both source databases.

Entry points live in :mod:`simulator.runner` (``add_arguments``, ``run``, ``backfill``, ``start_background``); the
simulation itself is :class:`simulator.engine.HotlineSimulator` (``advance_to(ts)`` returns the rows to write).

Conventions: operator ``id`` N has extension 1000+N, queue member name ``PJSIP/<ext>`` (phone teams only), login
``op<ext>`` and workstation ``10.20.<1 + N // 250>.<1 + N % 250>``. Ground-truth labels of injected anomalies go
only to ``settings.ground_truth_path``; the resume state (``simulator_state.json``, ``simulator_checkpoint.pickle``)
lives in ``settings.data_dir``. Nothing here does work at import time.
"""
