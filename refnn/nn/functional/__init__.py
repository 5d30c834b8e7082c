"""refnn.nn.functional: torch's signatures, argument normalisation and all validation.

One private module per op family; this package re-exports their ``__all__``.
"""
from ._activation import *  # noqa: F401,F403
from ._attention import *  # noqa: F401,F403
from ._conv import *  # noqa: F401,F403
from ._distance import *  # noqa: F401,F403
from ._dropout import *  # noqa: F401,F403
from ._interpolation import *  # noqa: F401,F403
from ._linear import *  # noqa: F401,F403
from ._loss import *  # noqa: F401,F403
from ._normalization import *  # noqa: F401,F403
from ._pixelshuffle import *  # noqa: F401,F403
from ._pooling import *  # noqa: F401,F403
from ._loss_ctc import *  # noqa: F401,F403
from ._loss_margin import *  # noqa: F401,F403
from ._loss_regression import *  # noqa: F401,F403
