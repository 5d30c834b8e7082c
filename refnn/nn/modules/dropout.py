"""Dropout modules: p and inplace, torch's repr; the mask comes from refnn's seeded generator."""
from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"]


class _DropoutNd(Module):
    fn = "dropout"

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return getattr(F, self.fn)(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    fn = "dropout"


class Dropout1d(_DropoutNd):
    fn = "dropout1d"


class Dropout2d(_DropoutNd):
    fn = "dropout2d"


class Dropout3d(_DropoutNd):
    fn = "dropout3d"


class AlphaDropout(_DropoutNd):
    fn = "alpha_dropout"


class FeatureAlphaDropout(_DropoutNd):
    fn = "feature_alpha_dropout"


__all__ += ["AlphaDropout", "FeatureAlphaDropout"]
