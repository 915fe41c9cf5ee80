"""Question families. Importing this package registers every family (one line each)."""

from generators import eigen_determinant, loss_ordering, relu_backprop, shapley_and  # noqa: F401
from generators.base import families, family  # noqa: F401
