"""qtreader's scale benchmark: a large synthetic library, and what users feel on it.

Not part of the installed package. Run it from a checkout (it measures that
checkout's ``qtreader``, in the venv where its dependencies are installed)::

    cd tests && python -m bench [--articles N] [--repeat R] [--keep DIR] [--skip-ui]
    cd tests && python -m bench --patches --keep DIR [--runs R]   # Textual patches on/off
    cd tests && python -m bench --felt --keep DIR [--felt-cache DIR]  # typing, in tmux
    cd tests && python -m bench --suggest --keep DIR [--felt-cache DIR]  # did you mean

``python -m bench --help`` tells the options. Modules: ``library`` generates the
library, ``measure`` times the catalog (cold index, refresh, search, reading an
article), ``ui`` the reader in child processes (launch, keys, opens), ``patches``
compares the reader with and without each of its Textual patches, ``felt`` times
typing in the reader run in tmux (keystroke to changed list, from outside the
process), ``suggest`` times "did you mean" given a real library's vocabulary, ``report``
prints the table. Results so far are in tests/bench/RESULTS.md.
"""
