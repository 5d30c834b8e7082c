"""The torch.nn layers refnn covers: every module and function the report lists under "Coverage of torch.nn".

Data only.  Each entry is (name, family); modules live in ``nn``, functions in
``nn.functional``.  ``PARAMS`` lists every entry's documented parameters (the feature matrix's
columns), written out because many torch functions are C++ builtins whose
signature ``inspect`` cannot read.
"""

MODULES = [
    # convolution
    ("Conv1d", "conv"), ("Conv2d", "conv"), ("ConvTranspose1d", "conv"), ("ConvTranspose2d", "conv"),
    # pooling
    ("MaxPool1d", "pooling"), ("MaxPool2d", "pooling"), ("MaxUnpool1d", "pooling"), ("MaxUnpool2d", "pooling"),
    ("AvgPool1d", "pooling"), ("AvgPool2d", "pooling"),
    ("AdaptiveAvgPool1d", "pooling"), ("AdaptiveAvgPool2d", "pooling"),
    ("AdaptiveMaxPool1d", "pooling"), ("AdaptiveMaxPool2d", "pooling"),
    ("Conv3d", "conv3d"), ("ConvTranspose3d", "conv3d"),
    ("MaxPool3d", "pool3d"), ("MaxUnpool3d", "pool3d"), ("AvgPool3d", "pool3d"), ("AdaptiveAvgPool3d", "pool3d"),
    ("AdaptiveMaxPool3d", "pool3d"),
    ("LPPool1d", "pool_lp_fractional"), ("LPPool2d", "pool_lp_fractional"), ("LPPool3d", "pool_lp_fractional"),
    ("FractionalMaxPool2d", "pool_lp_fractional"), ("FractionalMaxPool3d", "pool_lp_fractional"),
    # normalization
    ("BatchNorm1d", "normalization"), ("BatchNorm2d", "normalization"), ("LayerNorm", "normalization"),
    ("GroupNorm", "normalization"), ("InstanceNorm1d", "normalization"), ("InstanceNorm2d", "normalization"),
    # activations
    ("ELU", "activation"), ("CELU", "activation"), ("SELU", "activation"), ("GELU", "activation"),
    ("Hardshrink", "activation"), ("Softshrink", "activation"), ("Hardsigmoid", "activation"),
    ("Hardswish", "activation"), ("Hardtanh", "activation"), ("ReLU6", "activation"), ("ReLU", "activation"),
    ("LeakyReLU", "activation"), ("PReLU", "activation"), ("RReLU", "activation"), ("LogSigmoid", "activation"),
    ("Sigmoid", "activation"), ("SiLU", "activation"), ("Mish", "activation"), ("Softplus", "activation"),
    ("Softsign", "activation"), ("Tanh", "activation"), ("Tanhshrink", "activation"), ("Threshold", "activation"),
    # softmax and dropout
    ("Softmax", "softmax"), ("LogSoftmax", "softmax"), ("Softmin", "softmax"),
    ("Dropout", "dropout"),
    # interpolation and pixel shuffle
    ("Upsample", "interpolation"), ("UpsamplingNearest2d", "interpolation"),
    ("UpsamplingBilinear2d", "interpolation"),
    ("PixelShuffle", "pixelshuffle"), ("PixelUnshuffle", "pixelshuffle"),
    # padding, fold/unfold, channel shuffle
    ("ZeroPad1d", "padding"), ("ZeroPad2d", "padding"), ("ZeroPad3d", "padding"),
    ("ConstantPad1d", "padding"), ("ConstantPad2d", "padding"), ("ConstantPad3d", "padding"),
    ("ReflectionPad1d", "padding"), ("ReflectionPad2d", "padding"), ("ReflectionPad3d", "padding"),
    ("ReplicationPad1d", "padding"), ("ReplicationPad2d", "padding"), ("ReplicationPad3d", "padding"),
    ("CircularPad1d", "padding"), ("CircularPad2d", "padding"), ("CircularPad3d", "padding"),
    ("Fold", "fold"), ("Unfold", "fold"), ("ChannelShuffle", "channelshuffle"),
    # linear
    ("Linear", "linear"),
    # attention and recurrent layers
    ("MultiheadAttention", "attention"),
    ("RNN", "rnn"), ("LSTM", "rnn"), ("GRU", "rnn"), ("RNNCell", "rnn"), ("LSTMCell", "rnn"), ("GRUCell", "rnn"),
    # losses
    ("NLLLoss", "loss"), ("CrossEntropyLoss", "loss"), ("AdaptiveLogSoftmaxWithLoss", "loss"),
    ("MSELoss", "loss"), ("L1Loss", "loss"), ("BCELoss", "loss"), ("BCEWithLogitsLoss", "loss"),
    # distances
    ("PairwiseDistance", "distance"), ("CosineSimilarity", "distance"),
    # embeddings and small layers
    ("Embedding", "embedding"), ("EmbeddingBag", "embedding"),
    ("GLU", "layers_misc"), ("Softmax2d", "layers_misc"), ("Bilinear", "layers_misc"),
    ("LocalResponseNorm", "layers_misc"), ("CrossMapLRN2d", "layers_misc"), ("RMSNorm", "layers_misc"),
    ("AlphaDropout", "layers_misc"), ("FeatureAlphaDropout", "layers_misc"), ("ParameterList", "layers_misc"),
    ("ParameterDict", "layers_misc"), ("SyncBatchNorm", "layers_misc"),
]

FUNCTIONS = [
    ("conv1d", "conv"), ("conv2d", "conv"), ("conv_transpose1d", "conv"), ("conv_transpose2d", "conv"),
    ("max_pool1d", "pooling"), ("max_pool2d", "pooling"), ("max_unpool1d", "pooling"), ("max_unpool2d", "pooling"),
    ("avg_pool1d", "pooling"), ("avg_pool2d", "pooling"),
    ("adaptive_avg_pool1d", "pooling"), ("adaptive_avg_pool2d", "pooling"),
    ("adaptive_max_pool1d", "pooling"), ("adaptive_max_pool2d", "pooling"),
    ("conv3d", "conv3d"), ("conv_transpose3d", "conv3d"),
    ("max_pool3d", "pool3d"), ("max_unpool3d", "pool3d"), ("avg_pool3d", "pool3d"), ("adaptive_avg_pool3d", "pool3d"),
    ("adaptive_max_pool3d", "pool3d"),
    ("lp_pool1d", "pool_lp_fractional"), ("lp_pool2d", "pool_lp_fractional"), ("lp_pool3d", "pool_lp_fractional"),
    ("fractional_max_pool2d", "pool_lp_fractional"), ("fractional_max_pool3d", "pool_lp_fractional"),
    ("batch_norm", "normalization"), ("layer_norm", "normalization"), ("group_norm", "normalization"),
    ("instance_norm", "normalization"),
    ("elu", "activation"), ("celu", "activation"), ("selu", "activation"), ("gelu", "activation"),
    ("hardshrink", "activation"), ("softshrink", "activation"), ("hardsigmoid", "activation"),
    ("hardswish", "activation"), ("hardtanh", "activation"), ("relu6", "activation"), ("relu", "activation"),
    ("leaky_relu", "activation"), ("prelu", "activation"), ("rrelu", "activation"), ("logsigmoid", "activation"),
    ("sigmoid", "activation"), ("silu", "activation"), ("mish", "activation"), ("softplus", "activation"),
    ("softsign", "activation"), ("tanh", "activation"), ("tanhshrink", "activation"), ("threshold", "activation"),
    ("softmax", "softmax"), ("log_softmax", "softmax"), ("softmin", "softmax"),
    ("dropout", "dropout"),
    ("interpolate", "interpolation"),
    ("pixel_shuffle", "pixelshuffle"), ("pixel_unshuffle", "pixelshuffle"),
    ("pad", "padding"), ("fold", "fold"), ("unfold", "fold"),
    ("grid_sample", "gridsample"), ("affine_grid", "gridsample"),
    ("channel_shuffle", "channelshuffle"), ("native_channel_shuffle", "channelshuffle"),
    ("linear", "linear"),
    ("scaled_dot_product_attention", "attention"),
    ("nll_loss", "loss"), ("cross_entropy", "loss"), ("mse_loss", "loss"), ("l1_loss", "loss"),
    ("binary_cross_entropy", "loss"), ("binary_cross_entropy_with_logits", "loss"),
    ("pairwise_distance", "distance"), ("cosine_similarity", "distance"),
    ("embedding", "embedding"), ("embedding_bag", "embedding"), ("one_hot", "embedding"),
    ("glu", "layers_misc"), ("bilinear", "layers_misc"), ("local_response_norm", "layers_misc"),
    ("rms_norm", "layers_misc"), ("normalize", "layers_misc"), ("pdist", "layers_misc"),
    ("alpha_dropout", "layers_misc"), ("feature_alpha_dropout", "layers_misc"), ("gumbel_softmax", "layers_misc"),
]

# transformers
MODULES += [
    ("TransformerEncoderLayer", "transformer"), ("TransformerEncoder", "transformer"),
    ("TransformerDecoderLayer", "transformer"), ("TransformerDecoder", "transformer"), ("Transformer", "transformer"),
]

# Documented parameters, in torch 2.13.0's order (read from its signatures and docs; deprecated
# size_average/reduce, device/dtype and the private _stacklevel left out).  Module entries list the
# constructor's parameters, then the forward's options (after "forward:").
PARAMS = {
    "conv1d": "input weight bias stride padding dilation groups",
    "conv2d": "input weight bias stride padding dilation groups",
    "conv_transpose1d": "input weight bias stride padding output_padding groups dilation",
    "conv_transpose2d": "input weight bias stride padding output_padding groups dilation",
    "max_pool1d": "input kernel_size stride padding dilation ceil_mode return_indices",
    "max_pool2d": "input kernel_size stride padding dilation ceil_mode return_indices",
    "max_unpool1d": "input indices kernel_size stride padding output_size",
    "max_unpool2d": "input indices kernel_size stride padding output_size",
    "avg_pool1d": "input kernel_size stride padding ceil_mode count_include_pad",
    "avg_pool2d": "input kernel_size stride padding ceil_mode count_include_pad divisor_override",
    "adaptive_avg_pool1d": "input output_size",
    "adaptive_avg_pool2d": "input output_size",
    "adaptive_max_pool1d": "input output_size return_indices",
    "adaptive_max_pool2d": "input output_size return_indices",
    "conv3d": "input weight bias stride padding dilation groups",
    "conv_transpose3d": "input weight bias stride padding output_padding groups dilation",
    "max_pool3d": "input kernel_size stride padding dilation ceil_mode return_indices",
    "max_unpool3d": "input indices kernel_size stride padding output_size",
    "avg_pool3d": "input kernel_size stride padding ceil_mode count_include_pad divisor_override",
    "adaptive_avg_pool3d": "input output_size",
    "adaptive_max_pool3d": "input output_size return_indices",
    "lp_pool1d": "input norm_type kernel_size stride ceil_mode",
    "lp_pool2d": "input norm_type kernel_size stride ceil_mode",
    "lp_pool3d": "input norm_type kernel_size stride ceil_mode",
    "fractional_max_pool2d": "input kernel_size output_size output_ratio return_indices _random_samples",
    "fractional_max_pool3d": "input kernel_size output_size output_ratio return_indices _random_samples",
    "batch_norm": "input running_mean running_var weight bias training momentum eps",
    "layer_norm": "input normalized_shape weight bias eps",
    "group_norm": "input num_groups weight bias eps",
    "instance_norm": "input running_mean running_var weight bias use_input_stats momentum eps",
    "elu": "input alpha inplace", "celu": "input alpha inplace", "selu": "input inplace",
    "gelu": "input approximate", "hardshrink": "input lambd", "softshrink": "input lambd",
    "hardsigmoid": "input inplace", "hardswish": "input inplace", "hardtanh": "input min_val max_val inplace",
    "relu6": "input inplace", "relu": "input inplace", "leaky_relu": "input negative_slope inplace",
    "prelu": "input weight", "rrelu": "input lower upper training inplace", "logsigmoid": "input",
    "sigmoid": "input", "silu": "input inplace", "mish": "input inplace", "softplus": "input beta threshold",
    "softsign": "input", "tanh": "input", "tanhshrink": "input", "threshold": "input threshold value inplace",
    "softmax": "input dim dtype", "log_softmax": "input dim dtype", "softmin": "input dim dtype",
    "dropout": "input p training inplace",
    "interpolate": "input size scale_factor mode align_corners recompute_scale_factor antialias",
    "pixel_shuffle": "input upscale_factor", "pixel_unshuffle": "input downscale_factor",
    "pad": "input pad mode value",
    "fold": "input output_size kernel_size dilation padding stride",
    "unfold": "input kernel_size dilation padding stride",
    "grid_sample": "input grid mode padding_mode align_corners", "affine_grid": "theta size align_corners",
    "channel_shuffle": "input groups", "native_channel_shuffle": "input groups",
    "linear": "input weight bias",
    "scaled_dot_product_attention": "query key value attn_mask dropout_p is_causal scale enable_gqa",
    "nll_loss": "input target weight ignore_index reduction",
    "cross_entropy": "input target weight ignore_index reduction label_smoothing",
    "mse_loss": "input target reduction weight", "l1_loss": "input target reduction weight",
    "binary_cross_entropy": "input target weight reduction",
    "binary_cross_entropy_with_logits": "input target weight reduction pos_weight",
    "pairwise_distance": "x1 x2 p eps keepdim", "cosine_similarity": "x1 x2 dim eps",
    "Conv1d": "in_channels out_channels kernel_size stride padding dilation groups bias padding_mode",
    "Conv2d": "in_channels out_channels kernel_size stride padding dilation groups bias padding_mode",
    "ConvTranspose1d": "in_channels out_channels kernel_size stride padding output_padding groups bias dilation "
                       "padding_mode forward: output_size",
    "ConvTranspose2d": "in_channels out_channels kernel_size stride padding output_padding groups bias dilation "
                       "padding_mode forward: output_size",
    "MaxPool1d": "kernel_size stride padding dilation return_indices ceil_mode",
    "MaxPool2d": "kernel_size stride padding dilation return_indices ceil_mode",
    "MaxUnpool1d": "kernel_size stride padding forward: indices output_size",
    "MaxUnpool2d": "kernel_size stride padding forward: indices output_size",
    "AvgPool1d": "kernel_size stride padding ceil_mode count_include_pad",
    "AvgPool2d": "kernel_size stride padding ceil_mode count_include_pad divisor_override",
    "AdaptiveAvgPool1d": "output_size", "AdaptiveAvgPool2d": "output_size",
    "AdaptiveMaxPool1d": "output_size return_indices", "AdaptiveMaxPool2d": "output_size return_indices",
    "Conv3d": "in_channels out_channels kernel_size stride padding dilation groups bias padding_mode",
    "ConvTranspose3d": "in_channels out_channels kernel_size stride padding output_padding groups bias dilation "
                       "padding_mode forward: output_size",
    "MaxPool3d": "kernel_size stride padding dilation return_indices ceil_mode",
    "MaxUnpool3d": "kernel_size stride padding forward: indices output_size",
    "AvgPool3d": "kernel_size stride padding ceil_mode count_include_pad divisor_override",
    "AdaptiveAvgPool3d": "output_size", "AdaptiveMaxPool3d": "output_size return_indices",
    "LPPool1d": "norm_type kernel_size stride ceil_mode", "LPPool2d": "norm_type kernel_size stride ceil_mode",
    "LPPool3d": "norm_type kernel_size stride ceil_mode",
    "FractionalMaxPool2d": "kernel_size output_size output_ratio return_indices _random_samples",
    "FractionalMaxPool3d": "kernel_size output_size output_ratio return_indices _random_samples",
    "BatchNorm1d": "num_features eps momentum affine track_running_stats bias",
    "BatchNorm2d": "num_features eps momentum affine track_running_stats bias",
    "LayerNorm": "normalized_shape eps elementwise_affine bias",
    "GroupNorm": "num_groups num_channels eps affine bias",
    "InstanceNorm1d": "num_features eps momentum affine track_running_stats bias",
    "InstanceNorm2d": "num_features eps momentum affine track_running_stats bias",
    "ELU": "alpha inplace", "CELU": "alpha inplace", "SELU": "inplace", "GELU": "approximate",
    "Hardshrink": "lambd", "Softshrink": "lambd", "Hardsigmoid": "inplace", "Hardswish": "inplace",
    "Hardtanh": "min_val max_val inplace", "ReLU6": "inplace", "ReLU": "inplace",
    "LeakyReLU": "negative_slope inplace", "PReLU": "num_parameters init", "RReLU": "lower upper inplace",
    "LogSigmoid": "", "Sigmoid": "", "SiLU": "inplace", "Mish": "inplace", "Softplus": "beta threshold",
    "Softsign": "", "Tanh": "", "Tanhshrink": "", "Threshold": "threshold value inplace",
    "Softmax": "dim", "LogSoftmax": "dim", "Softmin": "dim", "Dropout": "p inplace",
    "Upsample": "size scale_factor mode align_corners recompute_scale_factor",
    "UpsamplingNearest2d": "size scale_factor", "UpsamplingBilinear2d": "size scale_factor",
    "PixelShuffle": "upscale_factor", "PixelUnshuffle": "downscale_factor",
    "ZeroPad1d": "padding",
    "ZeroPad2d": "padding",
    "ZeroPad3d": "padding",
    "ConstantPad1d": "padding value",
    "ConstantPad2d": "padding value",
    "ConstantPad3d": "padding value",
    "ReflectionPad1d": "padding",
    "ReflectionPad2d": "padding",
    "ReflectionPad3d": "padding",
    "ReplicationPad1d": "padding",
    "ReplicationPad2d": "padding",
    "ReplicationPad3d": "padding",
    "CircularPad1d": "padding",
    "CircularPad2d": "padding",
    "CircularPad3d": "padding",
    "Fold": "output_size kernel_size dilation padding stride", "Unfold": "kernel_size dilation padding stride",
    "ChannelShuffle": "groups",
    "Linear": "in_features out_features bias",
    "MultiheadAttention": "embed_dim num_heads dropout bias add_bias_kv add_zero_attn kdim vdim batch_first "
                          "forward: key_padding_mask need_weights attn_mask average_attn_weights is_causal",
    "RNN": "input_size hidden_size num_layers nonlinearity bias batch_first dropout bidirectional forward: hx",
    "LSTM": "input_size hidden_size num_layers bias batch_first dropout bidirectional proj_size forward: hx",
    "GRU": "input_size hidden_size num_layers bias batch_first dropout bidirectional forward: hx",
    "RNNCell": "input_size hidden_size bias nonlinearity forward: hx",
    "LSTMCell": "input_size hidden_size bias forward: hx",
    "GRUCell": "input_size hidden_size bias forward: hx",
    "NLLLoss": "weight ignore_index reduction", "CrossEntropyLoss": "weight ignore_index reduction label_smoothing",
    "AdaptiveLogSoftmaxWithLoss": "in_features n_classes cutoffs div_value head_bias",
    "MSELoss": "reduction", "L1Loss": "reduction", "BCELoss": "weight reduction",
    "BCEWithLogitsLoss": "weight reduction pos_weight",
    "PairwiseDistance": "p eps keepdim", "CosineSimilarity": "dim eps",
    "embedding": "input weight padding_idx max_norm norm_type scale_grad_by_freq sparse",
    "embedding_bag": "input weight offsets max_norm norm_type scale_grad_by_freq mode sparse per_sample_weights "
                     "include_last_offset padding_idx",
    "one_hot": "tensor num_classes",
    "glu": "input dim", "bilinear": "input1 input2 weight bias",
    "local_response_norm": "input size alpha beta k", "rms_norm": "input normalized_shape weight eps",
    "normalize": "input p dim eps out", "pdist": "input p",
    "alpha_dropout": "input p training inplace", "feature_alpha_dropout": "input p training inplace",
    "gumbel_softmax": "logits tau hard eps dim",
    "Embedding": "num_embeddings embedding_dim padding_idx max_norm norm_type scale_grad_by_freq sparse",
    "EmbeddingBag": "num_embeddings embedding_dim max_norm norm_type scale_grad_by_freq mode sparse "
                    "include_last_offset padding_idx forward: offsets per_sample_weights",
    "GLU": "dim", "Softmax2d": "", "Bilinear": "in1_features in2_features out_features bias",
    "LocalResponseNorm": "size alpha beta k", "CrossMapLRN2d": "size alpha beta k",
    "RMSNorm": "normalized_shape eps elementwise_affine",
    "AlphaDropout": "p inplace", "FeatureAlphaDropout": "p inplace", "ParameterList": "values",
    "ParameterDict": "parameters",
    "SyncBatchNorm": "num_features eps momentum affine track_running_stats process_group bias",
}

PARAMS.update({
    "TransformerEncoderLayer": "d_model nhead dim_feedforward dropout activation layer_norm_eps batch_first "
                               "norm_first bias forward: src_mask src_key_padding_mask is_causal",
    "TransformerEncoder": "encoder_layer num_layers norm enable_nested_tensor mask_check "
                          "forward: mask src_key_padding_mask is_causal",
    "TransformerDecoderLayer": "d_model nhead dim_feedforward dropout activation layer_norm_eps batch_first "
                               "norm_first bias forward: tgt_mask memory_mask tgt_key_padding_mask "
                               "memory_key_padding_mask tgt_is_causal memory_is_causal",
    "TransformerDecoder": "decoder_layer num_layers norm forward: tgt_mask memory_mask tgt_key_padding_mask "
                          "memory_key_padding_mask tgt_is_causal memory_is_causal",
    "Transformer": "d_model nhead num_encoder_layers num_decoder_layers dim_feedforward dropout activation "
                   "custom_encoder custom_decoder layer_norm_eps batch_first norm_first bias forward: src_mask "
                   "tgt_mask memory_mask src_key_padding_mask tgt_key_padding_mask memory_key_padding_mask "
                   "src_is_causal tgt_is_causal memory_is_causal",
})


def ctor_params(name):
    """Constructor (or function) parameter names, in order."""
    return PARAMS.get(name, "").split(" forward: ")[0].split()


def forward_params(name):
    """A module's documented forward options (after "forward:")."""
    parts = PARAMS.get(name, "").split(" forward: ")
    return parts[1].split() if len(parts) > 1 else []


# The data an op works on, not options: left out of the feature matrix's columns
# (weight, bias, running stats and masks stay: passing them or not is a feature).
DATA_PARAMS = {"input", "self", "x1", "x2", "target", "query", "key", "value", "indices"}

FAMILY_ORDER = ["linear", "conv", "conv3d", "pooling", "pool3d", "pool_lp_fractional", "normalization", "activation", "softmax", "dropout",
                "interpolation", "pixelshuffle", "attention", "rnn", "loss", "distance"]
FAMILY_ORDER += ["embedding", "layers_misc"]
FAMILY_ORDER += ["transformer", "packed", "nn_utils"]

# the rest of torch.nn's losses (registry modules loss_regression, loss_margin, loss_ctc, loss_linear_ce)
MODULES += [
    ("NLLLoss2d", "loss"), ("KLDivLoss", "loss"), ("SmoothL1Loss", "loss"), ("HuberLoss", "loss"),
    ("SoftMarginLoss", "loss"), ("MultiLabelSoftMarginLoss", "loss"), ("MultiLabelMarginLoss", "loss"),
    ("MultiMarginLoss", "loss"), ("MarginRankingLoss", "loss"), ("HingeEmbeddingLoss", "loss"),
    ("CosineEmbeddingLoss", "loss"), ("TripletMarginLoss", "loss"), ("TripletMarginWithDistanceLoss", "loss"),
    ("PoissonNLLLoss", "loss"), ("GaussianNLLLoss", "loss"), ("CTCLoss", "loss"), ("LinearCrossEntropyLoss", "loss"),
]
FUNCTIONS += [
    ("kl_div", "loss"), ("smooth_l1_loss", "loss"), ("huber_loss", "loss"), ("soft_margin_loss", "loss"),
    ("multilabel_soft_margin_loss", "loss"), ("multilabel_margin_loss", "loss"), ("multi_margin_loss", "loss"),
    ("margin_ranking_loss", "loss"), ("hinge_embedding_loss", "loss"), ("cosine_embedding_loss", "loss"),
    ("triplet_margin_loss", "loss"), ("triplet_margin_with_distance_loss", "loss"), ("poisson_nll_loss", "loss"),
    ("gaussian_nll_loss", "loss"), ("ctc_loss", "loss"), ("linear_cross_entropy", "loss"),
]
PARAMS.update({
    "kl_div": "input target reduction log_target",
    "smooth_l1_loss": "input target reduction beta",
    "huber_loss": "input target reduction delta weight",
    "soft_margin_loss": "input target reduction",
    "multilabel_soft_margin_loss": "input target weight reduction",
    "multilabel_margin_loss": "input target reduction",
    "multi_margin_loss": "input target p margin weight reduction",
    "margin_ranking_loss": "input1 input2 target margin reduction",
    "hinge_embedding_loss": "input target margin reduction",
    "cosine_embedding_loss": "input1 input2 target margin reduction",
    "triplet_margin_loss": "anchor positive negative margin p eps swap reduction",
    "triplet_margin_with_distance_loss": "anchor positive negative distance_function margin swap reduction",
    "poisson_nll_loss": "input target log_input full eps reduction",
    "gaussian_nll_loss": "input target var full eps reduction",
    "ctc_loss": "log_probs targets input_lengths target_lengths blank reduction zero_infinity",
    "linear_cross_entropy": "input linear_weight target linear_bias weight reduction ignore_index label_smoothing "
                            "options",
    "NLLLoss2d": "weight ignore_index reduction", "KLDivLoss": "reduction log_target",
    "SmoothL1Loss": "reduction beta", "HuberLoss": "reduction delta", "SoftMarginLoss": "reduction",
    "MultiLabelSoftMarginLoss": "weight reduction", "MultiLabelMarginLoss": "reduction",
    "MultiMarginLoss": "p margin weight reduction", "MarginRankingLoss": "margin reduction",
    "HingeEmbeddingLoss": "margin reduction", "CosineEmbeddingLoss": "margin reduction",
    "TripletMarginLoss": "margin p eps swap reduction",
    "TripletMarginWithDistanceLoss": "distance_function margin swap reduction",
    "PoissonNLLLoss": "log_input full eps reduction", "GaussianNLLLoss": "full eps reduction",
    "CTCLoss": "blank reduction zero_infinity",
    "LinearCrossEntropyLoss": "in_features num_classes out_features bias reduction weight ignore_index "
                              "label_smoothing options",
})
FAMILY_ORDER += ["loss_regression", "loss_margin", "loss_ctc", "loss_linear_ce"]

# F.conv_tbc (registry module conv_tbc)
FUNCTIONS += [("conv_tbc", "conv_tbc")]
PARAMS["conv_tbc"] = "input weight bias pad"
FAMILY_ORDER += ["conv_tbc"]
