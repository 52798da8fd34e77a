"""Assignment 2's other functions written the way CS231n students write them: right ones, and
broken ones with one deliberate mistake each (fixtures for tests/test_check_assignment.py).

Each ``<function>(mistake)`` returns a CS231n-API function with that mistake; ``mistake=None``
is the right answer, written independently of cs231n_lib (the assignment's usual shape:
loops, the computation graph step by step, transposes that reuse batch norm, np.random for
dropout).  ``MISTAKES[function]`` maps each mistake to words of the one finding it must get.
"""
import numpy as np


# ---------------------------------------------------------------- affine
def affine_forward(mistake=None):
    def affine_forward(x, w, b):
        N = x.shape[0]
        if mistake == "not flattened":
            xf = x
        elif mistake == "flattened across examples":
            xf = x.reshape(-1, N).T
        else:
            xf = x.reshape(N, -1)
        W = w.T if mistake == "w transposed" else w
        out = xf @ W
        if mistake != "bias missing":
            out = out + b
        if mistake == "bias twice":
            out = out + b
        return out, (x, w, b)
    return affine_forward


def affine_backward(mistake=None):
    def affine_backward(dout, cache):
        x, w, b = cache
        N = x.shape[0]
        xf = x.reshape(N, -1)
        dx = dout @ (w if mistake == "dx with w" else w.T)
        if mistake != "dx flattened":
            dx = dx.reshape(x.shape)
        dw = dout.T @ xf if mistake == "dw transposed" else xf.T @ dout
        if mistake == "dw averaged":
            dw = dw / N
        db = dout.sum(axis=0)
        if mistake == "db averaged":
            db = dout.mean(axis=0)
        if mistake == "db wrong axis":
            db = dout.sum(axis=1)
        return dx, dw, db
    return affine_backward


# ---------------------------------------------------------------- relu
def relu_forward(mistake=None):
    def relu_forward(x):
        if mistake == "in place":
            x[x < 0] = 0
            return x, x
        out = {None: lambda: x * (x > 0), "leaky": lambda: np.where(x > 0, x, 0.01 * x),
               "mask": lambda: (x > 0).astype(float), "minimum": lambda: np.minimum(0, x),
               "unchanged": lambda: x.copy(), "abs": lambda: np.abs(x)}[mistake]()
        return out, x
    return relu_forward


def relu_backward(mistake=None):
    def relu_backward(dout, cache):
        x = cache
        return {None: lambda: np.where(x > 0, dout, 0.0), "unchanged": lambda: dout.copy(),
                "mask only": lambda: (x > 0).astype(float), "mask from dout": lambda: dout * (dout > 0),
                "sign flipped": lambda: dout * (x < 0), "times output": lambda: dout * np.maximum(0, x)}[mistake]()
    return relu_backward


# ---------------------------------------------------------------- losses
def softmax_loss(mistake=None):
    def softmax_loss(x, y):
        N = x.shape[0]
        shifted = x if mistake == "unstable" else x - np.max(x, axis=1, keepdims=True)
        axis = 0 if mistake == "wrong axis" else 1
        probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=axis, keepdims=True)
        log = np.log10 if mistake == "log10" else np.log
        loss = -np.sum(log(probs[np.arange(N), y]))
        if mistake != "not averaged":
            loss /= N
        dx = probs.copy()
        if mistake != "no minus one":
            dx[np.arange(N), y] -= 1
        if mistake != "dx not divided":
            dx /= N
        return loss, dx
    return softmax_loss


def svm_loss(mistake=None):
    def svm_loss(x, y):
        N, C = x.shape
        loss, dx = 0.0, np.zeros_like(x)
        for i in range(N):
            for j in range(C):
                if j == y[i] and mistake != "correct class counted":
                    continue
                margin = x[i, j] - x[i, y[i]] + 1
                if margin > 0:
                    loss += margin
                    if j != y[i]:
                        dx[i, j] += 1
                        if mistake == "no correct-class gradient":
                            continue
                        if mistake == "minus one":
                            dx[i, y[i]] = -1
                        else:
                            dx[i, y[i]] -= 1
        if mistake != "not averaged":
            loss /= N
        if mistake != "dx not divided":
            dx /= N
        return loss, dx
    return svm_loss


# ---------------------------------------------------------------- max pooling
def max_pool_forward(mistake=None):
    def max_pool_forward_naive(x, pool_param):
        ph, pw, S = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
        if mistake == "height for width":
            pw = ph
        N, C, H, W = x.shape
        H_out, W_out = (H - ph) // S + 1, (W - pool_param["pool_width"]) // S + 1
        out = np.zeros((N, C, H_out, W_out))
        for i in range(H_out):
            for j in range(W_out):
                top, left = (i, j) if mistake == "stride ignored" else (i * S, j * S)
                window = x[:, :, top:top + ph, left:left + pw]
                reduce = {None: np.max, "average": np.mean, "minimum": np.min, "stride ignored": np.max,
                          "height for width": np.max}[mistake]
                out[:, :, i, j] = reduce(window, axis=(2, 3))
        return out, (x, pool_param)
    return max_pool_forward_naive


def max_pool_backward(mistake=None):
    def max_pool_backward_naive(dout, cache):
        x, pool_param = cache
        ph, pw, S = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
        N, C, H_out, W_out = dout.shape
        dx = np.zeros_like(x)
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        top, left = (i, j) if mistake == "stride ignored" else (i * S, j * S)
                        window = x[n, c, top:top + ph, left:left + pw]
                        g = dout[n, c, i, j]
                        if mistake == "every position":
                            dx[n, c, top:top + ph, left:left + pw] += g
                        elif mistake == "spread evenly":
                            dx[n, c, top:top + ph, left:left + pw] += g / (ph * pw)
                        else:
                            a, b = np.unravel_index(np.argmax(window), window.shape)
                            if mistake == "assigned":
                                dx[n, c, top + a, left + b] = g
                            else:
                                dx[n, c, top + a, left + b] += g
        return dx
    return max_pool_backward_naive


# ---------------------------------------------------------------- batch norm
def batchnorm_forward(mistake=None):
    def batchnorm_forward(x, gamma, beta, bn_param):
        mode = bn_param["mode"]
        eps = bn_param.get("eps", 1e-5)
        momentum = bn_param.get("momentum", 0.9)
        N, D = x.shape
        running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
        running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
        if mistake == "mode swapped":
            mode = {"train": "test", "test": "train"}[mode]
        axis = 1 if mistake == "wrong axis" else 0
        if mode == "train":
            mu = x.mean(axis=axis, keepdims=True)
            var = x.var(axis=axis, keepdims=True, ddof=1 if mistake == "ddof" else 0)
            if mistake == "eps outside":
                x_hat = (x - mu) / (np.sqrt(var) + eps)
            elif mistake == "eps forgotten":
                x_hat = (x - mu) / np.sqrt(var)
            elif mistake == "divided by var":
                x_hat = (x - mu) / (var + eps)
            else:
                x_hat = (x - mu) / np.sqrt(var + eps)
            sample_var = var[0]
            if mistake == "running std":
                sample_var = np.sqrt(var[0])
            if mistake == "running ddof":
                sample_var = x.var(axis=0, ddof=1)
            if mistake == "momentum swapped":
                running_mean = (1 - momentum) * running_mean + momentum * mu[0]
                running_var = (1 - momentum) * running_var + momentum * sample_var
            elif mistake != "running not stored":
                running_mean = momentum * running_mean + (1 - momentum) * mu[0]
                running_var = momentum * running_var + (1 - momentum) * sample_var
            cache = (x, x_hat, mu, var, gamma, eps)
        else:
            if mistake == "test updates":
                mu, var = x.mean(axis=0), x.var(axis=0)
                running_mean = momentum * running_mean + (1 - momentum) * mu
                running_var = momentum * running_var + (1 - momentum) * var
                x_hat = (x - bn_param["running_mean"]) / np.sqrt(bn_param["running_var"] + eps)
            else:
                x_hat = (x - running_mean) / np.sqrt(running_var + eps)
            cache = None
        out = beta * x_hat + gamma if mistake == "gamma beta swapped" else gamma * x_hat + beta
        if mistake != "running not stored":
            bn_param["running_mean"] = running_mean
            bn_param["running_var"] = running_var
        return out, cache
    return batchnorm_forward


def batchnorm_backward(mistake=None):
    """The computation graph, node by node (the assignment's first version)."""
    def batchnorm_backward(dout, cache):
        x, x_hat, mu, var, gamma, eps = cache
        N = x.shape[0]
        dbeta = dout.sum(axis=0)
        dgamma = (dout * x_hat).sum(axis=0)
        if mistake == "dgamma wrong axis":
            dgamma = (dout * x_hat).sum(axis=1)
        if mistake == "dgamma with x":
            dgamma = (dout * x).sum(axis=0)
        if mistake == "dbeta averaged":
            dbeta = dout.mean(axis=0)
        if mistake == "swapped":
            dgamma, dbeta = dbeta, dgamma
        std = np.sqrt(var + eps)
        dx_hat = dout if mistake == "gamma forgotten" else dout * gamma
        if mistake == "constants":
            return dx_hat / std, dgamma, dbeta
        xc = x - mu
        dxc = dx_hat / std
        dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2
        dvar = dstd / (2 * std)
        if mistake != "no variance path":
            dxc = dxc + 2 * xc * dvar / N
        dmu = -np.sum(dxc, axis=0)
        dx = dxc if mistake == "no mean path" else dxc + dmu / N
        return dx, dgamma, dbeta
    return batchnorm_backward


def batchnorm_backward_alt(mistake=None):
    """The simplified closed form, with x_hat from the cache."""
    def batchnorm_backward_alt(dout, cache):
        x, x_hat, mu, var, gamma, eps = cache
        N = dout.shape[0]
        axis = 1 if mistake == "dx wrong axis" else 0
        dbeta = dout.sum(axis=0)
        dgamma = (dout * x_hat).sum(axis=0)
        dxh = dout * gamma
        s = dxh.sum(axis=axis, keepdims=True)
        t = (dxh * x_hat).sum(axis=axis, keepdims=True)
        dx = (N * dxh - s - x_hat * t) / (N * np.sqrt(var + eps))
        return dx, dgamma, dbeta
    return batchnorm_backward_alt


# ---------------------------------------------------------------- layer norm (batch norm on the transpose)
def layernorm_forward(mistake=None):
    def layernorm_forward(x, gamma, beta, ln_param):
        eps = ln_param.get("eps", 1e-5)
        xt = x if mistake == "over the batch" else x.T          # (D, N): one column per example
        mu = xt.mean(axis=0)
        var = xt.var(axis=0, ddof=1 if mistake == "ddof" else 0)
        denom = np.sqrt(var) + eps if mistake == "eps outside" else np.sqrt(var + eps)
        x_hat = (xt - mu) / denom
        if mistake != "over the batch":
            x_hat = x_hat.T
        out = beta * x_hat + gamma if mistake == "gamma beta swapped" else gamma * x_hat + beta
        return out, (x_hat, gamma, var, eps)
    return layernorm_forward


def layernorm_backward(mistake=None):
    def layernorm_backward(dout, cache):
        x_hat, gamma, var, eps = cache
        dgamma = (dout * x_hat).sum(axis=1 if mistake == "dgamma wrong axis" else 0)
        dbeta = dout.sum(axis=0)
        dxh = dout * gamma
        if mistake == "constants":
            return dxh / np.sqrt(var + eps)[:, None], dgamma, dbeta
        D = x_hat.shape[1]
        axis = 0 if mistake == "batch norm's axis" else 1   # batch norm's closed form copied without the transpose
        dx = (D * dxh - dxh.sum(axis=axis, keepdims=True)
              - x_hat * (dxh * x_hat).sum(axis=axis, keepdims=True)) / (D * np.sqrt(var + eps)[:, None])
        return dx, dgamma, dbeta
    return layernorm_backward


# ---------------------------------------------------------------- spatial batch norm (batch norm on (N*H*W, C))
def spatial_batchnorm_forward(mistake=None):
    bn = batchnorm_forward(None if mistake in ("no transpose", "per position") else mistake)

    def spatial_batchnorm_forward(x, gamma, beta, bn_param):
        N, C, H, W = x.shape
        if mistake == "per position":   # batch norm on x as it is: statistics over axis 0 only
            eps, momentum = bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
            g, b = gamma[None, :, None, None], beta[None, :, None, None]
            if bn_param["mode"] == "train":
                mu, var = x.mean(axis=0), x.var(axis=0)
                bn_param["running_mean"] = momentum * bn_param.get("running_mean", np.zeros(C))[:, None, None] \
                    + (1 - momentum) * mu
                bn_param["running_var"] = momentum * bn_param.get("running_var", np.zeros(C))[:, None, None] \
                    + (1 - momentum) * var
            else:
                mu = bn_param["running_mean"][None, :, None, None]
                var = bn_param["running_var"][None, :, None, None]
            x_hat = (x - mu) / np.sqrt(var + eps)
            return g * x_hat + b, (x, x_hat, mu, var, gamma, eps)
        if mistake == "no transpose":
            out, cache = bn(x.reshape(-1, C), gamma, beta, bn_param)
            return out.reshape(N, C, H, W), cache
        rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
        out, cache = bn(rows, gamma, beta, bn_param)
        return out.reshape(N, H, W, C).transpose(0, 3, 1, 2), cache
    return spatial_batchnorm_forward


def spatial_batchnorm_backward(mistake=None):
    bn = batchnorm_backward()

    def spatial_batchnorm_backward(dout, cache):
        N, C, H, W = dout.shape
        if mistake == "no transpose":
            dx, dgamma, dbeta = bn(dout.reshape(-1, C), cache)
            return dx.reshape(N, C, H, W), dgamma, dbeta
        dx, dgamma, dbeta = bn(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
        if mistake == "dgamma shaped like x":
            dgamma, dbeta = dgamma.reshape(1, C, 1, 1), dbeta.reshape(1, C, 1, 1)
        return dx.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta
    return spatial_batchnorm_backward


# ---------------------------------------------------------------- group norm
def spatial_groupnorm_forward(mistake=None):
    def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
        eps = gn_param.get("eps", 1e-5)
        N, C, H, W = x.shape
        if mistake == "interleaved":
            xg, axes = x.reshape(N, C // G, G, H, W), (1, 3, 4)
        elif mistake == "G ignored":
            xg, axes = x.reshape(N, 1, C, H, W), (2, 3, 4)
        elif mistake == "each channel":
            xg, axes = x.reshape(N, C, 1, H, W), (2, 3, 4)
        elif mistake == "over the batch":
            xg, axes = x.reshape(N, G, C // G, H, W), (0, 2, 3, 4)
        else:
            xg, axes = x.reshape(N, G, C // G, H, W), (2, 3, 4)
        mu = xg.mean(axis=axes, keepdims=True)
        var = xg.var(axis=axes, keepdims=True, ddof=1 if mistake == "ddof" else 0)
        denom = np.sqrt(var) + eps if mistake == "eps outside" else np.sqrt(var + eps)
        x_hat = ((xg - mu) / denom).reshape(N, C, H, W)
        out = gamma * x_hat + beta
        return out, (x, x_hat, var, gamma, G, eps, xg.shape, axes)
    return spatial_groupnorm_forward


def spatial_groupnorm_backward(mistake=None):
    def spatial_groupnorm_backward(dout, cache):
        x, x_hat, var, gamma, G, eps, gshape, axes = cache
        dbeta = dout.sum(axis=(0, 2, 3), keepdims=mistake != "no keepdims")
        dgamma = (dout * (x if mistake == "dgamma with x" else x_hat)).sum(axis=(0, 2, 3),
                                                                          keepdims=mistake != "no keepdims")
        dxh = (dout * gamma).reshape(gshape)
        xh = x_hat.reshape(gshape)
        if mistake == "constants":
            return (dxh / np.sqrt(var + eps)).reshape(x.shape), dgamma, dbeta
        M = np.prod([gshape[a] for a in axes])
        dx = (M * dxh - dxh.sum(axis=axes, keepdims=True)
              - xh * (dxh * xh).sum(axis=axes, keepdims=True)) / (M * np.sqrt(var + eps))
        return dx.reshape(x.shape), dgamma, dbeta
    return spatial_groupnorm_backward


# ---------------------------------------------------------------- dropout (np.random, as the assignment's)
def dropout_forward(mistake=None):
    def dropout_forward(x, dropout_param):
        p, mode = dropout_param["p"], dropout_param["mode"]
        if "seed" in dropout_param and mistake != "seed ignored":
            np.random.seed(dropout_param["seed"])
        if mistake == "mode swapped":
            mode = {"train": "test", "test": "train"}[mode]
        if mode == "train":
            if mistake == "keeps 1 - p":
                mask = (np.random.rand(*x.shape) >= p) / (1 - p)
            elif mistake == "not inverted":
                mask = np.random.rand(*x.shape) < p
            elif mistake == "divided by 1 - p":
                mask = (np.random.rand(*x.shape) < p) / (1 - p)
            else:
                mask = (np.random.rand(*x.shape) < p) / p
            out = x * mask
        else:
            mask = None
            out = x * p if mistake == "test times p" else x
        if mistake != "dtype changed":
            out = out.astype(x.dtype, copy=False)
        return out, (dropout_param, mask)
    return dropout_forward


def dropout_backward(mistake=None):
    def dropout_backward(dout, cache):
        dropout_param, mask = cache
        if dropout_param["mode"] == "test":
            return dout
        if mistake == "not divided by p":
            return dout * (mask != 0)
        if mistake == "mask ignored":
            return dout
        return dout * mask
    return dropout_backward


MISTAKES = {
    "affine_forward": {"bias missing": "bias missing", "bias twice": "bias added twice",
                       "w transposed": "w transposed", "flattened across examples": "x flattened across examples",
                       "not flattened": "flatten every example to a row first"},
    "affine_backward": {"dx flattened": "dx is flattened", "dx with w": "dx = dout @ w",
                        "dw transposed": "dw transposed", "dw averaged": "dw averaged over the batch",
                        "db averaged": "db averaged", "db wrong axis": "db summed over the wrong axis"},
    "relu_forward": {"leaky": "leaky", "mask": "the mask returned", "minimum": "np.minimum(0, x)",
                     "unchanged": "x returned unchanged", "abs": "np.abs(x)", "in place": "changed its input x in place"},
    "relu_backward": {"unchanged": "dx = dout everywhere", "mask only": "dx is the mask alone",
                      "mask from dout": "the mask taken from dout", "sign flipped": "the mask's sign flipped",
                      "times output": "dout multiplied by the ReLU's output"},
    "softmax_loss": {"not averaged": "loss summed over the examples", "log10": "log base 10",
                     "wrong axis": "normalized over the examples (axis 0)", "no minus one": "misses the -1",
                     "dx not divided": "dx not divided by N", "unstable": "np.exp overflows"},
    "svm_loss": {"correct class counted": "the correct class counted", "not averaged": "loss summed over the examples",
                 "dx not divided": "dx not divided by N", "no correct-class gradient": "the correct class's gradient missing",
                 "minus one": "dx[i, y[i]] = -1"},
    "max_pool_forward_naive": {"stride ignored": "stride ignored in the window position",
                               "height for width": "pool_height used for the width too",
                               "average": "average pooling", "minimum": "the minimum of each window"},
    "max_pool_backward_naive": {"every position": "the gradient goes to every position",
                                "spread evenly": "spread evenly over the window", "stride ignored": "stride ignored in dx",
                                "assigned": "dx assigned (=) where windows overlap"},
    "batchnorm_forward": {"mode swapped": "train/test mode swapped", "ddof": "variance with N - 1",
                          "eps outside": "eps outside the square root", "eps forgotten": "eps forgotten",
                          "divided by var": "divided by the variance", "wrong axis": "statistics over the wrong axis",
                          "gamma beta swapped": "gamma and beta swapped", "running not stored": "running averages not updated",
                          "momentum swapped": "momentum the wrong way round", "test updates": "updated in 'test' mode too",
                          "running std": "running_var averages the standard deviation",
                          "running ddof": "running_var averages the variance with N - 1"},
    "batchnorm_backward": {"constants": "mean and variance treated as constants",
                           "no variance path": "the path through the variance missing",
                           "no mean path": "the path through the mean missing", "gamma forgotten": "gamma forgotten in dx",
                           "dgamma wrong axis": "dgamma summed over the wrong axis",
                           "dgamma with x": "dgamma = sum(dout * x)", "dbeta averaged": "dbeta averaged",
                           "swapped": "dgamma and dbeta swapped"},
    "batchnorm_backward_alt": {"dx wrong axis": "the sums of dx over the wrong axis"},
    "layernorm_forward": {"over the batch": "statistics over the wrong axis", "ddof": "variance with N - 1",
                          "eps outside": "eps outside the square root", "gamma beta swapped": "gamma and beta swapped"},
    "layernorm_backward": {"constants": "mean and variance treated as constants",
                           "batch norm's axis": "the sums of dx over the wrong axis",
                           "dgamma wrong axis": "dgamma summed over the wrong axis"},
    "spatial_batchnorm_forward": {"no transpose": "without moving the channels last",
                                  "per position": "every channel and position over the batch only",
                                  "mode swapped": "train/test mode swapped",
                                  "running not stored": "running averages not updated"},
    "spatial_batchnorm_backward": {"no transpose": "without moving the channels last",
                                   "dgamma shaped like x": "with shape (1, C, 1, 1)"},
    "spatial_groupnorm_forward": {"interleaved": "groups made of every G-th channel", "G ignored": "G ignored",
                                  "each channel": "every channel normalized alone",
                                  "over the batch": "statistics over the batch too", "ddof": "variance with N - 1",
                                  "eps outside": "eps outside the square root"},
    "spatial_groupnorm_backward": {"constants": "mean and variance treated as constants",
                                   "no keepdims": "with shape (C,)", "dgamma with x": "dgamma = sum(dout * x)"},
    "dropout_forward": {"keeps 1 - p": "dropout keeping 1 - p", "not inverted": "not inverted",
                        "divided by 1 - p": "kept units divided by 1 - p", "test times p": "'test' mode multiplies by p",
                        "mode swapped": "train/test mode swapped", "seed ignored": "the seed is ignored",
                        "dtype changed": "keep x's dtype"},
    "dropout_backward": {"not divided by p": "dx not divided by p", "mask ignored": "the mask ignored"},
}

MAKERS = {
    "affine_forward": affine_forward, "affine_backward": affine_backward,
    "relu_forward": relu_forward, "relu_backward": relu_backward,
    "softmax_loss": softmax_loss, "svm_loss": svm_loss,
    "max_pool_forward_naive": max_pool_forward, "max_pool_backward_naive": max_pool_backward,
    "batchnorm_forward": batchnorm_forward, "batchnorm_backward": batchnorm_backward,
    "batchnorm_backward_alt": batchnorm_backward_alt,
    "layernorm_forward": layernorm_forward, "layernorm_backward": layernorm_backward,
    "spatial_batchnorm_forward": spatial_batchnorm_forward, "spatial_batchnorm_backward": spatial_batchnorm_backward,
    "spatial_groupnorm_forward": spatial_groupnorm_forward, "spatial_groupnorm_backward": spatial_groupnorm_backward,
    "dropout_forward": dropout_forward, "dropout_backward": dropout_backward,
}
# the forward pass whose cache each backward pass reads (the student's own, right one)
FORWARD_OF = {"affine_backward": "affine_forward", "relu_backward": "relu_forward",
              "max_pool_backward_naive": "max_pool_forward_naive", "batchnorm_backward": "batchnorm_forward",
              "batchnorm_backward_alt": "batchnorm_forward", "layernorm_backward": "layernorm_forward",
              "spatial_batchnorm_backward": "spatial_batchnorm_forward",
              "spatial_groupnorm_backward": "spatial_groupnorm_forward", "dropout_backward": "dropout_forward"}


def functions(name, mistake=None):
    """``{name: the function with the mistake}``, plus the right forward pass a backward pass reads."""
    out = {name: MAKERS[name](mistake)}
    if name in FORWARD_OF:
        out[FORWARD_OF[name]] = MAKERS[FORWARD_OF[name]](None)
    return out
