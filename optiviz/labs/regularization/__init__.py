"""The regularization lab: weight paths under penalties, and its experiments on networks."""
