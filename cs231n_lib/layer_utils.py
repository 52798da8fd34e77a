"""Sandwich layers: common sequences of layers as one forward/backward pair (CS231n's ``layer_utils``).

``conv_relu_pool`` = convolution, ReLU, max pooling; ``conv_relu`` =
convolution, ReLU; ``affine_relu`` = affine, ReLU; ``affine_bn_relu`` and
``affine_ln_relu`` = affine, batch or layer normalization, ReLU (the hidden
block of CS231n's ``FullyConnectedNet``); ``conv_bn_relu`` = convolution,
spatial batch normalization, ReLU.  They call the fast convolution and pooling
of :mod:`cs231n_lib.fast_layers` and the other layers of
:mod:`cs231n_lib.layers`; shapes are those of the parts.
"""
from __future__ import annotations

from .layers import (
    affine_backward,
    affine_forward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
    relu_backward,
    relu_forward,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
)


def affine_relu_forward(x, w, b):
    """Affine then ReLU.

    x : (N, d_1, ..., d_k); w : (D, M); b : (M,).
    Returns ``out`` (N, M) and a cache for :func:`affine_relu_backward`.
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward pass of :func:`affine_relu_forward`: ``dout`` (N, M) -> ``dx, dw, db``."""
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)


def conv_relu_forward(x, w, b, conv_param):
    """Convolution (fast) then ReLU.

    x : (N, C, H, W); w : (F, C, HH, WW); b : (F,); conv_param : {'stride', 'pad'}.
    Returns ``out`` (N, F, H_out, W_out) and a cache.
    """
    from .fast_layers import conv_forward_fast

    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache):
    """Backward pass of :func:`conv_relu_forward`: ``dout`` (N, F, H_out, W_out) -> ``dx, dw, db``."""
    from .fast_layers import conv_backward_fast

    conv_cache, relu_cache = cache
    return conv_backward_fast(relu_backward(dout, relu_cache), conv_cache)


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """Convolution (fast), ReLU, then max pooling (fast).

    x : (N, C, H, W); w : (F, C, HH, WW); b : (F,);
    conv_param : {'stride', 'pad'}; pool_param : {'pool_height', 'pool_width', 'stride'}.
    Returns ``out`` (N, F, H_pool, W_pool) and a cache.
    """
    from .fast_layers import conv_forward_fast, max_pool_forward_fast

    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(dout, cache):
    """Backward pass of :func:`conv_relu_pool_forward`: ``dout`` -> ``dx, dw, db``."""
    from .fast_layers import conv_backward_fast, max_pool_backward_fast

    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    da = relu_backward(ds, relu_cache)
    return conv_backward_fast(da, conv_cache)


# ---- with normalization ----
def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param):
    """Affine, batch normalization, then ReLU.

    x : (N, d_1, ..., d_k); w : (D, M); b : (M,); gamma, beta : (M,);
    bn_param : as for :func:`~cs231n_lib.layers.batchnorm_forward` (its running
    averages are updated in 'train' mode).
    Returns ``out`` (N, M) and a cache for :func:`affine_bn_relu_backward`.
    """
    a, fc_cache = affine_forward(x, w, b)
    a_norm, bn_cache = batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(a_norm)
    return out, (fc_cache, bn_cache, relu_cache)


def affine_bn_relu_backward(dout, cache):
    """Backward pass of :func:`affine_bn_relu_forward`: ``dout`` (N, M) -> ``dx, dw, db, dgamma, dbeta``."""
    fc_cache, bn_cache, relu_cache = cache
    da_norm = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = batchnorm_backward_alt(da_norm, bn_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def affine_ln_relu_forward(x, w, b, gamma, beta, ln_param):
    """Affine, layer normalization, then ReLU.

    x : (N, d_1, ..., d_k); w : (D, M); b : (M,); gamma, beta : (M,);
    ln_param : as for :func:`~cs231n_lib.layers.layernorm_forward`.
    Returns ``out`` (N, M) and a cache for :func:`affine_ln_relu_backward`.
    """
    a, fc_cache = affine_forward(x, w, b)
    a_norm, ln_cache = layernorm_forward(a, gamma, beta, ln_param)
    out, relu_cache = relu_forward(a_norm)
    return out, (fc_cache, ln_cache, relu_cache)


def affine_ln_relu_backward(dout, cache):
    """Backward pass of :func:`affine_ln_relu_forward`: ``dout`` (N, M) -> ``dx, dw, db, dgamma, dbeta``."""
    fc_cache, ln_cache, relu_cache = cache
    da_norm = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = layernorm_backward(da_norm, ln_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
    """Convolution (fast), spatial batch normalization, then ReLU (CS231n's argument order).

    x : (N, C, H, W); w : (F, C, HH, WW); b : (F,); gamma, beta : (F,);
    conv_param : {'stride', 'pad'}; bn_param : as for
    :func:`~cs231n_lib.layers.spatial_batchnorm_forward`.
    Returns ``out`` (N, F, H_out, W_out) and a cache for :func:`conv_bn_relu_backward`.
    """
    from .fast_layers import conv_forward_fast

    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    a_norm, bn_cache = spatial_batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(a_norm)
    return out, (conv_cache, bn_cache, relu_cache)


def conv_bn_relu_backward(dout, cache):
    """Backward pass of :func:`conv_bn_relu_forward`: ``dout`` -> ``dx, dw, db, dgamma, dbeta``."""
    from .fast_layers import conv_backward_fast

    conv_cache, bn_cache, relu_cache = cache
    da_norm = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = spatial_batchnorm_backward(da_norm, bn_cache)
    dx, dw, db = conv_backward_fast(da, conv_cache)
    return dx, dw, db, dgamma, dbeta
