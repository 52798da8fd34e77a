"""Notebook 05 (training a ConvNet): training curves and the confusion matrix."""
from __future__ import annotations

from ._base import _new_figure

__all__ = ["training_curves", "compare_runs_figure", "confusion_matrix_figure"]

def training_curves(loss_history, train_acc_history, val_acc_history, title="Training",
                    iterations_per_epoch=None):
    """Two panels: the loss per iteration, and training / validation accuracy per epoch."""
    import numpy as np

    fig = _new_figure(10, 3.4)
    ax_loss, ax_acc = fig.subplots(1, 2)
    loss = np.asarray(loss_history, dtype=float)
    ax_loss.plot(np.arange(1, len(loss) + 1), loss, ".", markersize=2, alpha=0.5, label="minibatch loss")
    if len(loss) >= 20:
        k = max(len(loss) // 20, 2)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax_loss.plot(np.arange(k, len(loss) + 1), smooth, "-", label=f"mean of {k}")
    ax_loss.set_title("Training loss")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("softmax loss")
    ax_loss.legend(fontsize=8)
    epochs = np.arange(len(train_acc_history))
    ax_acc.plot(epochs, train_acc_history, "o-", label="train")
    ax_acc.plot(epochs, val_acc_history, "s-", label="validation")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.set_title("Classification accuracy")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def compare_runs_figure(runs, title="Two runs compared", window=10):
    """Several training runs on shared axes: the running mean of the minibatch loss
    (``window`` iterations) and the validation accuracy per epoch.

    ``runs`` maps a label to an object with ``loss_history`` and ``val_acc_history``
    (a :class:`cs231n_lib.solver.Solver` after ``train()``).
    """
    import numpy as np

    fig = _new_figure(10, 3.4)
    ax_loss, ax_acc = fig.subplots(1, 2)
    for label, run in runs.items():
        loss = np.asarray(run.loss_history, dtype=float)
        k = max(1, min(window, len(loss)))
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax_loss.plot(np.arange(k, len(loss) + 1), smooth, "-", label=label)
        ax_acc.plot(np.arange(len(run.val_acc_history)), run.val_acc_history, "o-", label=label)
    ax_loss.set_title(f"Training loss (mean of {window} minibatches)")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("softmax loss")
    ax_loss.legend(fontsize=8)
    ax_acc.set_ylim(0, 1.02)
    ax_acc.set_title("Validation accuracy")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def confusion_matrix_figure(matrix, class_names, title="Confusion matrix"):
    """Heat map of a confusion matrix (rows: true class, columns: predicted), with the counts written in."""
    import numpy as np

    matrix = np.asarray(matrix)
    C = len(class_names)
    if matrix.shape != (C, C):
        raise ValueError(f"matrix.shape={matrix.shape} must be (C, C) = ({C}, {C}) for {C} class names.")
    fig = _new_figure(6.5, 5.5)
    ax = fig.subplots()
    im = ax.imshow(matrix, cmap="Blues")
    top = matrix.max() if matrix.size else 0
    for i in range(C):
        for j in range(C):
            if matrix[i, j]:
                ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] > top / 2 else "black")
    ax.set_xticks(range(C))
    ax.set_xticklabels(class_names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(C))
    ax.set_yticklabels(class_names, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="images")
    return fig
