"""AdaptiveLogSoftmaxWithLoss (Grave et al., "Efficient softmax approximation for GPUs").

The head scores the ``cutoffs[0]`` most frequent classes plus one logit per tail cluster; the
tail cluster ``i`` (a down-projection and an up-projection, ``tail.i.0`` and ``tail.i.1``)
scores the classes ``cutoffs[i] .. cutoffs[i+1] - 1``.  A class's log-probability is its
cluster's log-probability in the head plus its log-probability within the cluster.  Every
piece runs through refnn.nn.functional (linear, log_softmax, nll_loss as the gather).
"""
from collections import namedtuple

import numpy as np

from ...tensor import Tensor, cat, zeros
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


def _pick(log_prob, columns):
    """log_prob[n, columns[n]] for every row n (nll_loss with reduction='none', negated: exact)."""
    return -F.nll_loss(log_prob, Tensor(np.ascontiguousarray(columns, dtype=np.int64)), reduction="none")


class AdaptiveLogSoftmaxWithLoss(Module):
    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs)) or (min(cutoffs) <= 0) or (max(cutoffs) > (n_classes - 1)) \
                or (len(set(cutoffs)) != len(cutoffs)) or any(int(c) != c for c in cutoffs):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(self.in_features, self.head_size, bias=self.head_bias, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(self.in_features // (self.div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(self.in_features, hsz, bias=False, dtype=dtype),
                                        Linear(hsz, osz, bias=False, dtype=dtype)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_, target_):
        targ_dim = target_.dim()
        if targ_dim == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{tuple(input_.shape)}")
        elif targ_dim == 0:
            if input_.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{tuple(input_.shape)}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if target_.dtype.kind not in "iu":
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: expected an integer target, but got {target_.dtype}")
        is_batched = targ_dim > 0
        input = input_ if is_batched else input_.unsqueeze(0)
        target = np.asarray(target_.data if is_batched else target_.data.reshape(1), dtype=np.int64)
        batch_size = target.shape[0]
        if batch_size and (target.min() < 0 or target.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{target.min()}, {target.max()}] were found. ")

        # each row's column in the head, and its log-probability within its tail cluster (0 for the shortlist)
        gather_inds = target.copy()
        parts, part_rows = [], []
        cutoff_values = [0] + self.cutoffs
        for i in range(len(cutoff_values) - 1):
            low_idx, high_idx = cutoff_values[i], cutoff_values[i + 1]
            rows = np.nonzero((target >= low_idx) & (target < high_idx))[0]
            if rows.size == 0:
                continue
            if i == 0:
                parts.append(zeros(rows.size, dtype=input.dtype))
            else:
                cluster_output = self.tail[i - 1](input[rows])
                gather_inds[rows] = self.shortlist_size + i - 1
                parts.append(_pick(F.log_softmax(cluster_output, dim=1), target[rows] - low_idx))
            part_rows.append(rows)
        order = np.concatenate(part_rows) if part_rows else np.zeros(0, dtype=np.int64)
        output = cat(parts, dim=0)[np.argsort(order, kind="stable")] if parts \
            else zeros(0, dtype=input.dtype)

        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = output + _pick(head_logprob, gather_inds)
        loss = (-output).mean()
        if not is_batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input, head_output):
        """The log of the full distribution over n_classes, given input and the head's output."""
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, dim=1)

    def log_prob(self, input):
        """Log-probabilities of every class, (N, n_classes)."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most probable class of each row: log_prob(input).argmax(dim=1), computing the tail only if needed."""
        head_output = self.head(input)
        output = head_output.argmax(dim=1).data.copy()
        not_in_shortlist = output >= self.shortlist_size
        if not not_in_shortlist.any():
            return Tensor(output)
        if not_in_shortlist.all():
            return self._get_full_log_prob(input, head_output).argmax(dim=1)
        log_prob = self._get_full_log_prob(input[not_in_shortlist], head_output[not_in_shortlist])
        output[not_in_shortlist] = log_prob.argmax(dim=1).data
        return Tensor(output)
