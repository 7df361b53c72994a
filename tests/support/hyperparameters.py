"""Per-run hyperparameters for the batched-optimizer tests: four runs of each optimizer, the first at its defaults."""

PER_RUN = {
    "sgd": {},
    "momentum": {"momentum": [0.9, 0.5, 0.0, 0.99]},
    "nesterov": {"momentum": [0.9, 0.3, 0.7, 0.0]},
    "rmsprop": {"decay": [0.9, 0.5, 0.99, 0.0], "eps": [1e-8, 1e-3, 0.1, 1e-8]},
    "adagrad": {},
    "adam": {"beta1": [0.9, 0.5, 0.0, 0.8], "beta2": [0.999, 0.9, 0.5, 0.99], "eps": [1e-8, 1e-3, 0.2, 1e-8]},
}
