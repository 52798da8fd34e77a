"""CS231n compatibility: the assignment's own overfitting recipe on our data, and the one place that lists the differences."""
import pathlib

from threadpoolctl import threadpool_limits

import cs231n_lib
from cs231n_lib import data
from cs231n_lib.nets import ThreeLayerConvNet
from cs231n_lib.solver import Solver

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _assignment_overfit(scale):
    """ConvolutionalNetworks.ipynb, "Overfit Small Data": 100 training images, ThreeLayerConvNet(weight_scale=1e-2),
    adam at 1e-3, 15 epochs, batches of 50; its small_data dict holds only these four entries."""
    d = data.load_shapes(num_train=100, num_val=100, num_test=0, seed=0, scale=scale)
    small_data = {"X_train": d["X_train"][:100], "y_train": d["y_train"][:100],
                  "X_val": d["X_val"], "y_val": d["y_val"]}
    model = ThreeLayerConvNet(weight_scale=1e-2, seed=0)
    solver = Solver(model, small_data, num_epochs=15, batch_size=50, update_rule="adam",
                    optim_config={"learning_rate": 1e-3}, verbose=False, progress=False, seed=0)
    with threadpool_limits(limits=1, user_api="blas"):
        solver.train()
    return solver


def test_the_assignments_overfitting_recipe_works_on_the_cs231n_scale():
    solver = _assignment_overfit("cs231n")
    assert len(solver.loss_history) == 30  # 15 epochs of 2 batches
    assert solver.train_acc_history[-1] >= 0.8, solver.train_acc_history  # measured: 0.99


def test_the_same_recipe_on_unit_scale_is_why_the_option_exists():
    # the same images in [0, 1]: the recipe's weight scale and learning rate were chosen for 0..255
    solver = _assignment_overfit("unit")
    assert solver.train_acc_history[-1] < 0.6, solver.train_acc_history  # measured: 0.34


def test_the_differences_are_listed_in_one_place_linked_from_the_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("## For CS231n students") == 1
    section = readme.split("## For CS231n students")[1].split("\n## ")[0]
    for fact in ('scale="cs231n"', "subtract_mean", "num_training", "num_train", "seed=", "input_convention",
                 "solver.py"):
        assert fact in section, fact
    assert "For CS231n students" in cs231n_lib.__doc__
    assert "For CS231n students" in data.__doc__
