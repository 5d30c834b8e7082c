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
from ._fractional import *  # noqa: F401,F403
from ._lp_pool import *  # noqa: F401,F403
from ._embedding import *  # noqa: F401,F403
from ._glu import *  # noqa: F401,F403
from ._bilinear import *  # noqa: F401,F403
from ._local_norm import *  # noqa: F401,F403
from ._alpha_dropout import *  # noqa: F401,F403
from ._pdist import *  # noqa: F401,F403
from ._gumbel import *  # noqa: F401,F403
from ._padding import *  # noqa: F401,F403
from ._fold import *  # noqa: F401,F403
from ._channelshuffle import *  # noqa: F401,F403
from ._gridsample import *  # noqa: F401,F403
from ._loss_ctc import *  # noqa: F401,F403
from ._loss_margin import *  # noqa: F401,F403
from ._loss_regression import *  # noqa: F401,F403
from ._conv_tbc import *  # noqa: F401,F403
