"""Recipes of the model zoo: one module per shipped net (see :mod:`cs231n_lib.pretrained`).

A recipe module ``<name>.py`` defines

* ``DESCRIPTION`` -- one sentence: what the net is for;
* ``DATASET`` -- the data set it was trained on, in words;
* ``RECIPE`` -- a dict of every setting ``train`` reads (seed, sizes,
  epochs, learning rate, ...); it is stored in the shipped file;
* ``QUICK`` -- overrides of ``RECIPE`` that train in a second or two (the
  tests rebuild every recipe with them, twice, and compare the bytes);
* ``MIN_TEST_ACCURACY`` -- what the shipped net must reach (a test holds it);
* ``build(seed=0, dtype=np.float32)`` -- the untrained net;
* ``test_split(settings)`` -- ``(X_test, y_test)`` the accuracy is measured on;
* ``train(settings, progress=True)`` -- trains ``build(settings["seed"])``
  and returns ``(net, info)``, where ``info`` holds at least
  ``test_accuracy`` (a float) and any other number worth recording.

``python -m cs231n_lib.pretrained --retrain <name>`` runs ``train`` with one
BLAS thread and writes ``data/zoo/<name>.npz``.  A new zoo entry is a new
module here plus its two files in ``data/zoo/``; nothing else changes.
"""
