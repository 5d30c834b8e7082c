"""The allocation cap: in every family an absurd output size raises a clear RuntimeError naming the function,
before any kernel runs (never a MemoryError from NumPy, never a hang).

Inputs of absurd size are zero-stride NumPy views (np.broadcast_to): they take no memory, so only the output
the op would allocate is absurd."""
import numpy as np
import pytest

import refnn
import refnn.nn.functional as F
from refnn._shape import MAX_ALLOCATION_BYTES

HUGE = (1 << 20, 1 << 20, 1 << 4)          # 2**44 elements: far above the cap in float32


def huge(shape=HUGE, dtype=np.float32):
    return refnn.Tensor(np.broadcast_to(np.ones(1, dtype=dtype), shape))


def small(*shape):
    return refnn.Tensor(np.ones(shape, dtype=np.float32))


CASES = {
    "linear": lambda: F.linear(huge(), small(4, 16)),
    "activation": lambda: F.relu(huge()),
    "dropout": lambda: F.dropout(huge(), 0.5, training=True),
    "conv": lambda: F.conv_transpose2d(small(1, 1, 1, 1), small(1, 1, 2, 2), stride=1, output_padding=0,
                                       padding=0, dilation=1 << 20),
    "pooling": lambda: F.max_unpool2d(small(1, 1, 2, 2), refnn.Tensor(np.zeros((1, 1, 2, 2), np.int64)),
                                      kernel_size=1 << 20),
    "normalization": lambda: F.layer_norm(huge(), (16,)),
    "interpolation": lambda: F.interpolate(small(1, 1, 2, 2), scale_factor=float(1 << 22)),
    "pixelshuffle": lambda: F.pixel_shuffle(huge((1 << 20, 1 << 20, 4, 2, 2)), 2),
    "loss": lambda: F.mse_loss(huge((1 << 22, 1, 1 << 22)), small(1, 4, 1)),
    "loss_regression": lambda: F.kl_div(huge((1 << 22, 1, 1 << 22)), small(1, 4, 1), reduction="sum"),
    "loss_margin": lambda: F.multilabel_soft_margin_loss(huge((1 << 22, 1, 1 << 22)), small(1, 4, 1)),
    "loss_ctc": lambda: F.ctc_loss(small(4, 1, 3), refnn.Tensor(np.broadcast_to(np.ones(1, np.int64), (1, 1 << 40))),
                                   (4,), (1 << 40,)),
    "distance": lambda: F.pairwise_distance(huge((1 << 22, 1, 16)), huge((1, 1 << 22, 16))),
    "attention": lambda: F.scaled_dot_product_attention(huge((1 << 22, 4)), huge((1 << 22, 4)),
                                                        huge((1 << 22, 4))),
    "conv3d": lambda: F.conv_transpose3d(small(1, 1, 1, 1, 1), small(1, 1, 2, 2, 2), dilation=1 << 15),
    "pooling3d": lambda: F.max_unpool3d(small(1, 1, 2, 2, 2), refnn.Tensor(np.zeros((1, 1, 2, 2, 2), np.int64)),
                                        kernel_size=1 << 15),
    "lp_fractional": lambda: F.fractional_max_pool2d(huge((1, 1, 1 << 22, 1 << 22)), 2,
                                                     output_size=(1 << 21, 1 << 21)),
    "lp_pool": lambda: F.lp_pool3d(huge((1 << 12, 1 << 12, 1 << 12, 2, 2)), 2.0, (1, 1, 1)),
    "embedding": lambda: F.embedding(huge(dtype=np.int64), small(4, 16)),
    "embedding_bag": lambda: F.embedding_bag(refnn.Tensor(np.broadcast_to(np.zeros(1, np.int64), (1 << 40, 1))),
                                             small(4, 16)),
    "one_hot": lambda: F.one_hot(refnn.Tensor(np.broadcast_to(np.zeros(1, np.int64), (1 << 36,))), 1 << 10),
    "layers_misc": lambda: F.bilinear(huge((1 << 30, 4)), huge((1 << 30, 4)), small(1 << 10, 4, 4)),
    "pdist": lambda: F.pdist(huge((1 << 22, 16))),
    "gumbel_softmax": lambda: F.gumbel_softmax(huge()),
    "glu": lambda: F.glu(huge()),
    "rms_norm": lambda: F.rms_norm(huge(), [16]),
    "local_response_norm": lambda: F.local_response_norm(huge(), 3),
    "alpha_dropout": lambda: F.alpha_dropout(huge(), 0.5, training=True),
    "padding": lambda: F.pad(huge(), (1, 1), mode="reflect"),
    "padding_constant": lambda: F.pad(small(1, 1), (1 << 22, 1 << 22, 1 << 22, 1 << 22)),
    "fold": lambda: F.fold(huge((1 << 12, 1, 1 << 22)), (1 << 11, 1 << 11), 1),
    "unfold": lambda: F.unfold(huge((1 << 20, 1 << 20, 4, 4)), 2),
    "gridsample": lambda: F.grid_sample(small(1, 1, 2, 2), huge((1, 1 << 22, 1 << 22, 2)), align_corners=False),
    "affine_grid": lambda: F.affine_grid(small(1, 2, 3), (1, 1, 1 << 22, 1 << 22), align_corners=False),
    "channelshuffle": lambda: F.channel_shuffle(huge((1 << 20, 1 << 20, 16)), 2),
}

CASES["packed"] = lambda: refnn.nn.utils.rnn.pad_packed_sequence(
    refnn.nn.utils.rnn.pack_sequence([small(2, 16), small(1, 16)]), total_length=1 << 40)
CASES["packed_pad_sequence"] = lambda: refnn.nn.utils.rnn.pad_sequence([huge((1 << 40,)), small(2)] * 64)
CASES["transformer"] = lambda: refnn.nn.TransformerEncoderLayer(16, 2, 8)(huge((1 << 20, 1 << 20, 16)))


@pytest.mark.parametrize("family", sorted(CASES))
def test_absurd_output_is_refused(family):
    with pytest.raises(RuntimeError, match="allocation cap|would need|overflow"):
        CASES[family]()


def test_cap_is_documented():
    assert MAX_ALLOCATION_BYTES == 1 << 34
