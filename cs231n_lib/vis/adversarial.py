"""Notebook 08 (adversarial examples): the linear view, FGSM curves and examples, scores along the
FGSM direction, fooling images, transfer between nets, noise called a digit, and the picture of
the adversarial explorer."""
from __future__ import annotations

from ._base import OUTPUT_COLOURS, _new_figure, _titles_at_top

__all__ = ["linear_growth_figure", "weight_templates_figure", "fgsm_curves_figure", "attack_grid_figure",
           "scores_along_figure", "fooling_figure", "fooling_row_figure", "transfer_figure",
           "rubbish_figure", "attack_explorer_axes", "draw_attack_explorer",
           "iterative_curves_figure", "steps_figure", "loss_line_figure", "pixel_attack_figure"]


def _grey(img):
    """(1, H, W), (C, H, W) or (H, W) -> (H, W) for imshow (the mean over channels)."""
    import numpy as np

    img = np.asarray(img, dtype=float)
    return img.mean(axis=0) if img.ndim == 3 else img


def _image(ax, img, title, vmin=0.0, vmax=1.0, cmap="gray"):
    """A 32x32 digit (or its perturbation) on ``ax``: titled, axes labelled, no tick labels (they
    say little on a digit and cost most of the time to draw a figure of many panels)."""
    shown = ax.imshow(_grey(img), cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("column (pixels)", fontsize=7)
    ax.set_ylabel("row (pixels)", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def linear_growth_figure(growth, marks=None, title=None):
    """The change of a linear score ``w.x`` under a perturbation of ``eps`` per input, against the
    number of inputs n (log-log): the sign of ``w`` (measured, and ``eps * m * n``) and random
    signs (measured, and ``eps * m * sqrt(n)``).  ``growth`` is
    :func:`cs231n_lib.adversarial.linear_growth`'s result; ``marks`` ``{label: n}`` draws
    vertical lines (e.g. ``{"28x28": 784, "224x224x3": 150528}``)."""
    fig = _new_figure(7.5, 4.6)
    ax = fig.subplots()
    n = growth.n
    ax.loglog(n, growth.aligned_formula, color=OUTPUT_COLOURS[1], label="eps * m * n")
    ax.loglog(n, growth.aligned, "o", color=OUTPUT_COLOURS[1], label="measured: eta = eps * sign(w)")
    ax.loglog(n, growth.random_formula, "--", color=OUTPUT_COLOURS[0], label="eps * m * sqrt(n)")
    ax.loglog(n, growth.random, "s", color=OUTPUT_COLOURS[0], label="measured: random signs, same size")
    for k, (label, value) in enumerate((marks or {}).items()):
        ax.axvline(value, color="#777777", linestyle=":", linewidth=1)
        ax.text(value, ax.get_ylim()[1], f" {label}", rotation=90, va="top", ha="right", fontsize=8, color="#555555")
    ax.set_xlabel("number of inputs n")
    ax.set_ylabel("change of the score w.x")
    ax.set_title(title or f"A change of eps = {growth.eps:.4g} per input, weights of mean size m = {growth.m:.3g}")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(True, which="major", alpha=0.3)
    return fig


def weight_templates_figure(W, shape=(32, 32), class_names=None, title="The softmax classifier's weights"):
    """The weights of a linear classifier, one picture per class (top row), and their signs (bottom
    row): ``eps * sign(w_c)`` is the perturbation that raises the score of class c the most.
    ``W`` (D, C) with D = H * W pixels."""
    import numpy as np

    W = np.asarray(W, dtype=float)
    C = W.shape[1]
    names = class_names or [str(c) for c in range(C)]
    fig = _new_figure(1.25 * C, 3.2)
    axes = fig.subplots(2, C, squeeze=False)
    lim = float(np.abs(W).max()) or 1.0
    for c in range(C):
        w = W[:, c].reshape(shape)
        for row, (img, vmax, label) in enumerate(((w, lim, f"w of {names[c]}"),
                                                  (np.sign(w), 1.0, f"sign(w) of {names[c]}"))):
            ax = axes[row, c]
            ax.imshow(img, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
            ax.set_title(label, fontsize=7)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel("column", fontsize=6)
            ax.set_ylabel("row", fontsize=6)
    fig.suptitle(f"{title}: red positive, blue negative")
    return fig


def fgsm_curves_figure(sweeps, title="FGSM: accuracy and confidence against eps", paper=None, unclipped=None):
    """Accuracy (left) and the mean confidence on the wrong answers (right) against eps, one line per
    net.  ``sweeps`` ``{name: Sweep}`` (solid lines); ``unclipped`` optional ``{name: Sweep}`` of
    the same nets without clipping, drawn dashed in the colour of the net of the same name (or the
    next free colour); ``paper`` optional ``{label: (eps, accuracy, confidence)}`` points from the
    literature, drawn as crosses."""
    import numpy as np

    fig = _new_figure(10, 3.8)
    ax_acc, ax_conf = fig.subplots(1, 2)
    colours = {}
    lines = [(name, sweep, "o-", name) for name, sweep in sweeps.items()]
    lines += [(name, sweep, "o--", f"{name}, unclipped") for name, sweep in (unclipped or {}).items()]
    for name, sweep, style, label in lines:
        if name not in colours:
            colours[name] = OUTPUT_COLOURS[len(colours) % len(OUTPUT_COLOURS)]
        ax_acc.plot(sweep.eps, 100 * sweep.accuracy, style, color=colours[name], label=label)
        conf = np.asarray(sweep.confidence_on_mistakes, dtype=float)
        ax_conf.plot(sweep.eps, 100 * conf, style, color=colours[name], label=label)
    for k, (label, (eps, acc, conf)) in enumerate((paper or {}).items()):
        colour = OUTPUT_COLOURS[(len(colours) + k) % len(OUTPUT_COLOURS)]
        ax_acc.plot([eps], [acc], "x", markersize=9, mew=2, color=colour, label=label)
        ax_conf.plot([eps], [conf], "x", markersize=9, mew=2, color=colour, label=label)
    ax_acc.set_title("accuracy on FGSM examples")
    ax_acc.set_xlabel("eps (largest change of one pixel, pixels in [0, 1])")
    ax_acc.set_ylabel("accuracy (%)")
    ax_acc.set_ylim(-3, 103)
    ax_conf.set_title("mean confidence on the wrong answers")
    ax_conf.set_xlabel("eps (largest change of one pixel, pixels in [0, 1])")
    ax_conf.set_ylabel("probability of the wrong answer (%)")
    ax_conf.set_ylim(-3, 103)
    for ax in (ax_acc, ax_conf):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def attack_grid_figure(X, X_adv, labels, clean_pred, clean_conf, adv_pred, adv_conf,
                       title="FGSM examples", class_names=None):
    """Three rows for a few digits: the clean digit (with the net's answer and confidence), the
    perturbation ``X_adv - X`` (red up, blue down) and the adversarial digit (its answer, red when
    wrong).  ``X``, ``X_adv`` (k, C, H, W); the rest (k,)."""
    import numpy as np

    k = len(X)
    names = class_names or [str(c) for c in range(10)]
    fig = _new_figure(1.45 * k + 0.4, 5.0)
    axes = fig.subplots(3, k, squeeze=False)
    eta = np.asarray(X_adv, dtype=float) - np.asarray(X, dtype=float)
    lim = float(np.abs(eta).max()) or 1.0
    for i in range(k):
        right = int(clean_pred[i]) == int(labels[i])
        _image(axes[0, i], X[i], f"{names[int(clean_pred[i])]} ({100 * clean_conf[i]:.0f}%)")
        axes[0, i].title.set_color("black" if right else "red")
        _image(axes[1, i], eta[i], f"eta, |eta| <= {lim:.2f}", vmin=-lim, vmax=lim, cmap="RdBu_r")
        fooled = int(adv_pred[i]) != int(labels[i])
        _image(axes[2, i], X_adv[i], f"{names[int(adv_pred[i])]} ({100 * adv_conf[i]:.0f}%)")
        axes[2, i].title.set_color("red" if fooled else "black")
    for row, label in enumerate(("clean", "perturbation", "clean + perturbation")):
        axes[row, 0].set_ylabel(f"{label}\nrow (pixels)", fontsize=7)
    fig.suptitle(f"{title}: the net's answer and its probability (red: wrong)")
    return fig


def scores_along_figure(eps, scores, label, title="Class scores along the FGSM direction", class_names=None):
    """The class scores of ``x + eps * sign(gradient)`` against eps (the paper's figure 4): ``eps``
    (k,), ``scores`` (k, C); ``label`` the true class (drawn thick)."""
    import numpy as np

    scores = np.asarray(scores)
    names = class_names or [str(c) for c in range(scores.shape[1])]
    fig = _new_figure(7.5, 4.2)
    ax = fig.subplots()
    for c in range(scores.shape[1]):
        colour = "black" if c == label else f"C{c}"
        ax.plot(eps, scores[:, c], color=colour, linewidth=3 if c == label else 1.2,
                label=f"{names[c]} (true class)" if c == label else names[c])
    ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_xlabel("eps (negative: against the gradient)")
    ax.set_ylabel("class score (before the softmax)")
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, alpha=0.3)
    return fig


def fooling_figure(x, result, class_names=None, magnify=None, title="A fooling image"):
    """The original digit, the perturbation (magnified to use the whole colour scale) and the fooling
    image of :func:`cs231n_lib.adversarial.fooling_image`'s ``result``."""
    import numpy as np

    names = class_names or [str(c) for c in range(10)]
    eta = np.asarray(result.image, dtype=float) - np.asarray(x, dtype=float)
    lim = float(np.abs(eta).max()) or 1.0
    magnify = magnify or 1.0 / lim
    fig = _new_figure(9.5, 3.6)
    a, b, c = fig.subplots(1, 3)
    _image(a, x, "original")
    shown = _image(b, eta * magnify, f"perturbation x {magnify:.1f}", vmin=-1, vmax=1, cmap="RdBu_r")
    fig.colorbar(shown, ax=b, shrink=0.8, label="change x magnification")
    _image(c, result.image, f"says {names[result.prediction]} ({100 * result.probability_after:.0f}%)")
    fig.suptitle(f"{title}: {result.steps} steps, ||eta||_2 = {result.l2:.2f}, max |eta| = {result.linf:.2f}")
    return fig


def fooling_row_figure(x, results, class_names=None, title="One digit made into every class"):
    """Fooling images of one digit ``x`` for several targets (``results``, one per target): the
    images (top) and their perturbations on one colour scale (bottom)."""
    import numpy as np

    names = class_names or [str(c) for c in range(10)]
    k = len(results)
    etas = [np.asarray(r.image, dtype=float) - np.asarray(x, dtype=float) for r in results]
    lim = max(float(np.abs(e).max()) for e in etas) or 1.0
    fig = _new_figure(1.3 * k + 0.4, 3.4)
    axes = fig.subplots(2, k, squeeze=False)
    for i, (r, eta) in enumerate(zip(results, etas)):
        _image(axes[0, i], r.image, f"-> {names[r.target]}: {r.steps} steps")
        _image(axes[1, i], eta, f"||eta||_2 = {r.l2:.2f}", vmin=-lim, vmax=lim, cmap="RdBu_r")
    fig.suptitle(f"{title} (perturbations on one scale, |eta| <= {lim:.2f})")
    return fig


def transfer_figure(matrix, title=None):
    """The transfer matrix (:func:`cs231n_lib.adversarial.transfer_matrix`) as a heat map: row i,
    column j is the error (%) of net j on the FGSM examples made on net i."""
    import numpy as np

    error = 100 * np.asarray(matrix.error)
    n = len(matrix.names)
    fig = _new_figure(1.6 * n + 2.6, 1.2 * n + 1.6)
    ax = fig.subplots()
    shown = ax.imshow(error, cmap="Reds", vmin=0, vmax=100)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{error[i, j]:.1f}%", ha="center", va="center",
                    color="white" if error[i, j] > 60 else "black", fontsize=9)
    ax.set_xticks(range(n))
    ax.set_xticklabels(matrix.names, rotation=20, fontsize=8)
    ax.set_yticks(range(n))
    ax.set_yticklabels(matrix.names, fontsize=8)
    ax.set_xlabel("classified by")
    ax.set_ylabel("examples made on")
    ax.set_title(title or f"Error on FGSM examples (eps = {matrix.eps:g}) made on another net")
    fig.colorbar(shown, ax=ax, shrink=0.8, label="error (%)")
    return fig


def rubbish_figure(noise, answers, title="Gaussian noise, and what each net calls it"):
    """A few noise images (their values clipped to [0, 1] for display), each titled with every
    net's answer: ``noise`` (k, C, H, W); ``answers`` ``{name: (predictions (k,), confidences (k,))}``."""
    import numpy as np

    k = len(noise)
    fig = _new_figure(1.6 * k + 0.4, 2.2 + 0.25 * len(answers))
    axes = np.atleast_1d(fig.subplots(1, k))
    for i, ax in enumerate(axes):
        lines = [f"{name}: {int(pred[i])} {100 * conf[i]:.0f}%" for name, (pred, conf) in answers.items()]
        _image(ax, np.clip(noise[i], 0, 1), "\n".join(lines))
    fig.suptitle(title)
    return fig


def attack_explorer_axes():
    """An empty figure for :func:`draw_attack_explorer`: ``(fig, (ax_x, ax_eta, ax_adv, ax_probs))``.

    A fixed layout (no constrained-layout pass on every redraw) keeps a slider update cheap."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.3), dpi=100)
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1.6]})
    fig.subplots_adjust(left=0.03, right=0.99, bottom=0.16, top=0.88, wspace=0.3)
    return fig, tuple(axes)


def draw_attack_explorer(axes, x, x_adv, probs_clean, probs_adv, label, eps, target=None, class_names=None):
    """Draw the adversarial explorer: the digit, the perturbation (on the scale +-eps), the result
    and both sets of class probabilities (clean and after the attack).  Called again on the same
    axes, it updates the images, bars and texts in place."""
    import numpy as np

    names = class_names or [str(c) for c in range(len(probs_clean))]
    ax_x, ax_eta, ax_adv, ax_p = axes
    lim = max(float(eps), 1e-3)
    eta = np.asarray(x_adv, dtype=float) - np.asarray(x, dtype=float)
    idx = np.arange(len(probs_clean))
    kept = ax_p.__dict__.get("_cs231n_attack")
    if kept is None or kept["names"] != list(names):
        for ax in axes:
            ax.clear()
        _titles_at_top(*axes)
        kept = ax_p._cs231n_attack = {"names": list(names)}
        kept["x"] = _image(ax_x, x, "")
        kept["eta"] = _image(ax_eta, eta, "", vmin=-lim, vmax=lim, cmap="RdBu_r")
        kept["adv"] = _image(ax_adv, x_adv, "")
        kept["before"] = ax_p.bar(idx - 0.2, 100 * np.asarray(probs_clean), width=0.4, color=OUTPUT_COLOURS[0],
                                  label="before")
        kept["after"] = ax_p.bar(idx + 0.2, 100 * np.asarray(probs_adv), width=0.4, color=OUTPUT_COLOURS[1],
                                 label="after")
        ax_p.set_xticks(idx)
        ax_p.set_xticklabels(names, fontsize=8)
        ax_p.set_ylim(0, 100)
        ax_p.set_ylabel("probability (%)")
        ax_p.set_title("class probabilities")
        ax_p.legend(fontsize=8)
    kept["x"].set_data(_grey(x))
    kept["eta"].set_data(_grey(eta))
    kept["eta"].set_clim(-lim, lim)
    kept["adv"].set_data(_grey(x_adv))
    for bars, probs in ((kept["before"], probs_clean), (kept["after"], probs_adv)):
        for bar, p in zip(bars, 100 * np.asarray(probs)):
            bar.set_height(p)
    ax_x.set_title(f"digit (a {names[label]})", fontsize=9)
    ax_eta.set_title(f"perturbation, |eta| <= {eps:.2f}", fontsize=9)
    ax_adv.set_title(f"after: says {names[int(np.argmax(probs_adv))]}", fontsize=9)
    ax_p.set_xlabel("class" + ("" if target is None else f" (target {names[target]})"))


def iterative_curves_figure(eps, curves, title="FGSM (dashed) and PGD (solid): error against eps"):
    """Error (%) against eps for several nets, one colour per net: ``curves`` is
    ``{net: (fgsm_errors, pgd_errors)}``, each a sequence of len(eps) percentages."""
    fig = _new_figure(7.5, 4.6)
    ax = fig.subplots()
    for k, (name, (one, many)) in enumerate(curves.items()):
        colour = OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)]
        ax.plot(eps, many, "-o", color=colour, markersize=4, label=f"{name}: PGD")
        ax.plot(eps, one, "--", color=colour, alpha=0.8, label=f"{name}: FGSM")
    ax.set_xlabel("eps (largest change of a pixel, pixels in [0, 1])")
    ax.set_ylabel("error on the attacked test digits (%)")
    ax.set_ylim(-2, 102)
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    ax.grid(True, alpha=0.3)
    return fig


def steps_figure(steps, curves, fgsm=None, title="PGD: error against the number of steps"):
    """Error (%) against the number of PGD steps (0: the random start alone), one line per net:
    ``curves`` ``{net: errors}``; ``fgsm`` ``{net: error}`` drawn as a horizontal dotted line."""
    import numpy as np

    fig = _new_figure(7.5, 4.4)
    ax = fig.subplots()
    x = np.asarray(steps, dtype=float)
    shown = np.where(x == 0, 0.5, x)          # the start at 0.5 on the log axis
    for k, (name, errors) in enumerate(curves.items()):
        colour = OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)]
        ax.semilogx(shown, errors, "-o", color=colour, markersize=4, label=f"{name}: PGD")
        if fgsm and name in fgsm:
            ax.axhline(fgsm[name], color=colour, linestyle=":", linewidth=1.2, label=f"{name}: FGSM")
    ax.set_xticks(shown)
    ax.set_xticklabels(["start"] + [str(int(v)) for v in x[1:]] if x[0] == 0 else [str(int(v)) for v in x])
    ax.set_xlabel("number of PGD steps (log scale)")
    ax.set_ylabel("error on the attacked test digits (%)")
    ax.set_ylim(-2, 102)
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=2, loc="center right")
    ax.grid(True, alpha=0.3)
    return fig


def loss_line_figure(eps, losses, pgd_losses=None, title="The mean loss along the FGSM direction"):
    """The mean cross-entropy of the test digits moved by ``eps * sign(gradient)`` (clipped), against
    eps, one line per net: ``losses`` ``{net: values}``; ``pgd_losses`` ``{net: (eps, value)}`` marks
    the loss at that net's PGD examples."""
    fig = _new_figure(7.5, 4.4)
    ax = fig.subplots()
    for k, (name, values) in enumerate(losses.items()):
        colour = OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)]
        ax.plot(eps, values, "-", color=colour, label=f"{name}: along the FGSM direction")
        if pgd_losses and name in pgd_losses:
            e, v = pgd_losses[name]
            ax.plot([e], [v], "*", markersize=12, color=colour, label=f"{name}: at its PGD examples")
    ax.set_xlabel("eps")
    ax.set_ylabel("mean cross-entropy loss")
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(True, alpha=0.3)
    return fig


def pixel_attack_figure(images, originals, captions, title="A few pixels changed"):
    """Digits changed by the pixel attack (top) beside their originals (bottom): ``images`` and
    ``originals`` (k, C, H, W), ``captions`` k strings."""
    k = len(images)
    fig = _new_figure(1.8 * k, 4.0)
    axes = fig.subplots(2, k, squeeze=False)
    for j in range(k):
        _image(axes[0, j], images[j], captions[j])
        _image(axes[1, j], originals[j], "original")
    fig.suptitle(title)
    return fig
