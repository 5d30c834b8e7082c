"""A small transformer language model (Embedding, TransformerEncoder, a tied output Linear, cross_entropy),
trained for a few SGD steps in both libraries (the 3-d conv net's run is in models3d.py).

Each case builds the same model from ``lib.nn``, gives it the same initial state (every ``state_dict``
entry drawn from a generator keyed by the entry's name, so a name refnn spells differently from torch
gets other values and the case fails), takes ``STEPS`` SGD steps on fixed data, and returns the loss at
every step, the last step's output, every parameter's last gradient and every final ``state_dict`` entry,
in the order of the sorted names.  The harness compares each of them with torch.
"""
import zlib

import numpy as np

from tests.harness import OpCase, T

STEPS = 3


def _lib(F):
    if F.__name__.startswith("torch"):
        import torch
        return torch
    import refnn
    return refnn


def _initial_state(lib, model, dtype):
    state = {}
    for name, value in sorted(model.state_dict().items()):
        shape = tuple(value.shape)
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        if "running_var" in name:
            array = rng.uniform(0.5, 1.5, size=shape)
        elif "num_batches_tracked" in name:
            array = np.zeros(shape, np.int64)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else max(shape[0] if shape else 1, 1)
            array = rng.uniform(-1.0, 1.0, size=shape) / np.sqrt(fan_in)
        array = array.astype(dtype if array.dtype.kind == "f" else array.dtype)
        state[name] = lib.tensor(array) if lib.__name__ == "refnn" else lib.from_numpy(array.copy())
    model.load_state_dict(state)


def _train(build, make_loss):
    def call(F, *inputs):
        lib = _lib(F)
        model = build(lib.nn)
        dtype = inputs[0].dtype if inputs[0].is_floating_point() else inputs[-1].dtype
        dtype = str(dtype).replace("torch.", "") if lib.__name__ == "torch" else np.dtype(dtype).name
        if dtype == "float64":
            model = model.double()
        _initial_state(lib, model, dtype)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        losses = []
        for _ in range(STEPS):
            optimizer.zero_grad()
            out, loss = make_loss(F, model, *inputs)
            loss.backward()
            optimizer.step()
            losses.append(loss.detach().reshape(1))
        names = sorted(name for name, _ in model.named_parameters())
        params = dict(model.named_parameters())
        grads = tuple(params[n].grad.detach().clone() for n in names)
        state = tuple(v.detach().clone() for _, v in sorted(model.state_dict().items()))
        return (lib.cat(losses), out.detach()) + grads + state
    return call


# ---------------------------------------------------------------- a small transformer language model
VOCAB, D_MODEL, HEADS, LENGTH, BATCH = 23, 16, 4, 7, 3


def transformer_lm(nn):
    class TinyLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(VOCAB, D_MODEL)
            layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, dim_feedforward=32, dropout=0.0,
                                               batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
            self.head = nn.Linear(D_MODEL, VOCAB, bias=False)
            self.head.weight = self.embed.weight              # tied input and output embeddings

        def forward(self, tokens, mask):
            return self.head(self.encoder(self.embed(tokens), mask=mask, is_causal=True))
    return TinyLM()


def _lm_loss(F, model, tokens, targets, dtype_probe):
    lib = _lib(F)
    mask = (lib.nn.Transformer.generate_square_subsequent_mask(LENGTH, dtype=dtype_probe.dtype))
    logits = model(tokens, mask)
    return logits, F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))


CASES = [
    OpCase(op="train", desc="transformer_lm_sgd3",
           call=_train(transformer_lm, _lm_loss),
           args=(T((BATCH, LENGTH), low=0, high=VOCAB, dtype="int64", requires_grad=False),
                 T((BATCH, LENGTH), low=0, high=VOCAB, dtype="int64", requires_grad=False),
                 T((1,), requires_grad=False)),
           grad=False),
]
