"""CS231n's FullyConnectedNet and ThreeLayerConvNet written the way students write them, on the
student layers of student_layers.py and student_convs.py (never cs231n_lib's): right ones, and
broken ones with one deliberate mistake each (fixtures for tests/test_check_assignment.py).
"""
import numpy as np

import student_convs as SC
import student_layers as SL

affine_forward, affine_backward = SL.affine_forward(), SL.affine_backward()
relu_forward, relu_backward = SL.relu_forward(), SL.relu_backward()
batchnorm_forward, batchnorm_backward = SL.batchnorm_forward(), SL.batchnorm_backward()
layernorm_forward, layernorm_backward = SL.layernorm_forward(), SL.layernorm_backward()
dropout_forward, dropout_backward = SL.dropout_forward(), SL.dropout_backward()
softmax_loss = SL.softmax_loss()
max_pool_forward, max_pool_backward = SL.max_pool_forward(), SL.max_pool_backward()


def fc_net(mistake=None):
    class FullyConnectedNet:
        def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                     normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
            self.normalization = normalization
            self.use_dropout = dropout_keep_ratio != 1
            self.reg = reg
            self.num_layers = 1 + len(hidden_dims)
            self.dtype = dtype
            self.params = {}
            dims = [input_dim] + list(hidden_dims) + [num_classes]
            for i in range(self.num_layers):
                self.params[f"W{i + 1}"] = weight_scale * np.random.randn(dims[i], dims[i + 1])
                self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])
                if normalization and i < self.num_layers - 1:
                    self.params[f"gamma{i + 1}"] = np.ones(dims[i + 1])
                    self.params[f"beta{i + 1}"] = np.zeros(dims[i + 1])
            self.dropout_param = {}
            if self.use_dropout:
                self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
                if seed is not None:
                    self.dropout_param["seed"] = seed
            self.bn_params = []
            if normalization == "batchnorm":
                self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
            if normalization == "layernorm":
                self.bn_params = [{} for _ in range(self.num_layers - 1)]
            for k, v in self.params.items():
                self.params[k] = v.astype(np.float32 if mistake == "float32" else dtype)

        def loss(self, X, y=None):
            X = X.astype(np.float32 if mistake == "float32" else self.dtype)
            mode = "test" if y is None else "train"
            if self.use_dropout and mistake != "dropout at test time":
                self.dropout_param["mode"] = mode
            if self.normalization == "batchnorm":
                for bn_param in self.bn_params:
                    bn_param["mode"] = mode
            caches, h = [], X
            for i in range(1, self.num_layers):
                h, fc = affine_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
                nc = None
                if self.normalization == "batchnorm":
                    h, nc = batchnorm_forward(h, self.params[f"gamma{i}"], self.params[f"beta{i}"], self.bn_params[i - 1])
                elif self.normalization == "layernorm":
                    h, nc = layernorm_forward(h, self.params[f"gamma{i}"], self.params[f"beta{i}"], self.bn_params[i - 1])
                h, rc = relu_forward(h)
                dc = None
                if self.use_dropout:
                    h, dc = dropout_forward(h, self.dropout_param)
                caches.append((fc, nc, rc, dc))
            L = self.num_layers
            scores, last = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
            if mistake == "relu on scores":
                scores, _ = relu_forward(scores)
            if y is None:
                return scores
            loss, dscores = softmax_loss(scores, y)
            grads = {}
            for k, v in self.params.items():
                if mistake == "W1 left out of the loss" and k == "W1":
                    continue
                if k.startswith("W") or (mistake == "reg on biases"):
                    factor = 1.0 if mistake == "reg without half" else 0.5
                    loss += factor * self.reg * np.sum(v * v)
            dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, last)
            for i in range(L - 1, 0, -1):
                fc, nc, rc, dc = caches[i - 1]
                if self.use_dropout:
                    dh = dropout_backward(dh, dc)
                if not (mistake == "first layer without its relu" and i == 1):
                    dh = relu_backward(dh, rc)
                if self.normalization == "batchnorm":
                    dh, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward(dh, nc)
                elif self.normalization == "layernorm":
                    dh, grads[f"gamma{i}"], grads[f"beta{i}"] = layernorm_backward(dh, nc)
                dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dh, fc)
            for k in grads:
                if mistake == "reg missing in grads" or (mistake == "W2 left out of its gradient" and k == "W2"):
                    continue
                if k.startswith("W") or mistake == "reg on biases":
                    factor = 2.0 if mistake == "reg without half" else 1.0
                    grads[k] = grads[k] + factor * self.reg * self.params[k]
            return loss, grads
    return FullyConnectedNet


def cnn(mistake=None):
    conv_forward, conv_backward = SC.forward(), SC.backward()

    class ThreeLayerConvNet:
        def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10,
                     weight_scale=1e-3, reg=0.0, dtype=np.float32):
            C, H, W = input_dim
            self.reg, self.dtype = reg, dtype
            self.params = {
                "W1": weight_scale * np.random.randn(num_filters, C, filter_size, filter_size),
                "b1": np.zeros(num_filters),
                "W2": weight_scale * np.random.randn(num_filters * H // 2 * W // 2, hidden_dim),
                "b2": np.zeros(hidden_dim),
                "W3": weight_scale * np.random.randn(hidden_dim, num_classes),
                "b3": np.zeros(num_classes),
            }

        def loss(self, X, y=None):
            W1, b1, W2, b2, W3, b3 = (self.params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
            conv_param = {"stride": 1, "pad": (W1.shape[2] - 1) // 2}
            pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
            if mistake == "fast layers without cython":
                return im2col_cython(X)  # noqa: F821 - as fast_layers.py without its compiled extension
            h, c1 = conv_forward(X, W1, b1, conv_param)
            h, r1 = relu_forward(h)
            h, p1 = max_pool_forward(h, pool_param)
            h, a2 = affine_forward(h, W2, b2)
            h, r2 = relu_forward(h)
            scores, a3 = affine_forward(h, W3, b3)
            if y is None:
                return scores
            loss, d = softmax_loss(scores, y)
            factor = 1.0 if mistake == "reg without half" else 0.5
            loss += factor * self.reg * sum(np.sum(W * W) for W in (W1, W2, W3))
            grads = {}
            d, grads["W3"], grads["b3"] = affine_backward(d, a3)
            d = relu_backward(d, r2)
            d, grads["W2"], grads["b2"] = affine_backward(d, a2)
            d = max_pool_backward(d, p1)
            d = relu_backward(d, r1)
            _, grads["W1"], grads["b1"] = conv_backward(d, c1)
            for k in ("W1", "W2", "W3"):
                grads[k] = grads[k] + 2 * factor * self.reg * self.params[k]
            return loss, grads
    return ThreeLayerConvNet


FC_MISTAKES = {
    "reg without half": "regularization without the factor 0.5",
    "reg missing in grads": "regularization missing from the gradients",
    "reg on biases": "regularization of the biases",
    "relu on scores": "scores through a ReLU",
    "dropout at test time": "loss(X) drops units",
    "first layer without its relu": "grads['W1'], grads['b1']",
    "W1 left out of the loss": "regularization of W1 missing from the loss",
    "W2 left out of its gradient": "regularization missing from grads['W2']",
    "float32": "although the net was built with dtype=np.float64",
}
CNN_MISTAKES = {
    "reg without half": "regularization without the factor 0.5",
    "fast layers without cython": "build_ext --inplace",
}
