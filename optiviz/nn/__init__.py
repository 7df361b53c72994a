"""Neural-network engine: pure NumPy (float64), one idea per module.

activations   f(z) beside f'(z): sigmoid, tanh, relu, leaky_relu, linear, elu
initializers  init(shape, rng, **params) -> W: zeros, constant, normal, uniform, xavier, glorot, he
losses        loss(logits, y) -> (L, ∂L/∂logits): binary and softmax cross-entropy, MSE
penalties     L1, L2, elastic net on weights only
layers        dense, activation, batch_norm, dropout, sequential, residual as pure functions
network       MLP: init, forward, backward, hidden_activations
regularizers  early stopping, dropout's expectations, augmented copies, read from runs
tree          params, grads and state as lists of dicts of arrays
"""

from optiviz.nn.network import MLP

__all__ = ["MLP"]
