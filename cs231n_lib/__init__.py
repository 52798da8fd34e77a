"""cs231n_lib: the small numpy library behind the cs231n-notebooks.

Modules (one concept each; import the one you need):

* ``arithmetic`` -- output sizes, padding and parameter counts
* ``vis``        -- figures (functions that return a matplotlib Figure)
* ``widgets``    -- slider explorers for the notebooks (needs ipywidgets)
* ``exercises``  -- checkers for the notebooks' exercises
* ``specs``      -- the architecture spec language, e.g. ``INPUT(32x32x3) -> CONV3-16 -> RELU -> FC-10``
* ``convert``    -- FC layers rewritten as convolutions (weights only)
* ``data``       -- data sets in CS231n's dict layout (shapes, MNIST, digits, faces, photos, CIFAR-10)

Coming from the CS231n assignments?  The section "For CS231n students" of
the repository's README.md lists, in one place, where this API differs from
theirs (data scale: [0, 1] here, 0..255 minus the mean image there, with
``scale="cs231n"`` to get theirs; ``num_train`` for ``num_training``;
``seed=`` everywhere; ``subtract_mean``; the Solver's additions).

``import cs231n_lib`` stays light: matplotlib and ipywidgets are imported
only by the modules that draw.
"""
__version__ = "0.1.0"
