"""Read and write PyTorch checkpoints without importing torch.

``load`` reads what ``torch.save(model.state_dict(), path)`` writes: the zip
format (``<name>/data.pkl`` plus one record per storage) and the legacy
pickle-stream format.  Unpickling is restricted: only the globals a tensor
state_dict needs are resolved, anything else raises ``pickle.UnpicklingError``
naming the global, so a crafted file never runs code.  Every tensor's size,
stride and offset are checked against the bytes actually present.

``save`` writes a zip checkpoint that ``torch.load(path, weights_only=True)``
reads back.  ``.safetensors`` files go through the ``safetensors`` package.
"""
import io
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np

from .tensor import Tensor

# torch storage class name -> (NumPy dtype of the stored bytes, dtype refnn returns)
_STORAGE_DTYPES = {
    "FloatStorage": (np.float32, np.float32),
    "DoubleStorage": (np.float64, np.float64),
    "HalfStorage": (np.float16, np.float16),
    "BFloat16Storage": (np.uint16, np.float32),   # converted: bfloat16 is the top half of a float32
    "LongStorage": (np.int64, np.int64),
    "IntStorage": (np.int32, np.int32),
    "ShortStorage": (np.int16, np.int16),
    "CharStorage": (np.int8, np.int8),
    "ByteStorage": (np.uint8, np.uint8),
    "BoolStorage": (np.bool_, np.bool_),
}
_DTYPE_TO_STORAGE = {np.dtype(np.float32): "FloatStorage", np.dtype(np.float64): "DoubleStorage",
                     np.dtype(np.float16): "HalfStorage", np.dtype(np.int64): "LongStorage",
                     np.dtype(np.int32): "IntStorage", np.dtype(np.int16): "ShortStorage",
                     np.dtype(np.int8): "CharStorage", np.dtype(np.uint8): "ByteStorage",
                     np.dtype(np.bool_): "BoolStorage"}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_MAX_NDIM = 64


class _StorageType:
    def __init__(self, name):
        self.name = name


class _Storage:
    """Raw bytes of one storage and its element type."""

    def __init__(self, raw, storage_type, key):
        self.key = key
        self.type_name = storage_type.name
        self.stored_dtype, self.result_dtype = _STORAGE_DTYPES[storage_type.name]
        self.raw = None
        if raw is not None:
            self.set_bytes(raw)

    def set_bytes(self, raw):
        itemsize = np.dtype(self.stored_dtype).itemsize
        if len(raw) % itemsize:
            raise pickle.UnpicklingError(
                f"storage {self.key!r}: {len(raw)} bytes is not a whole number of {self.type_name} elements")
        self.raw = raw
        self.numel = len(raw) // itemsize


class _Pending:
    """A tensor (or Parameter) whose storage bytes come later in a legacy file."""

    def __init__(self, build):
        self.build = build


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    """A NumPy array over ``storage`` (bounds-checked), wrapped in a Tensor."""
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("tensor data does not refer to a storage record")
    if storage.raw is None:
        return _Pending(lambda: _rebuild_tensor_v2(storage, storage_offset, size, stride))
    size, stride = tuple(size), tuple(stride)
    if (len(size) != len(stride) or len(size) > _MAX_NDIM
            or not all(isinstance(v, int) and v >= 0 for v in size + stride)
            or not isinstance(storage_offset, int) or storage_offset < 0):
        raise pickle.UnpicklingError(
            f"storage {storage.key!r}: invalid tensor geometry size={size} stride={stride} "
            f"offset={storage_offset}")
    numel = int(np.prod(size, dtype=object)) if size else 1
    if numel:
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= storage.numel:
            raise pickle.UnpicklingError(
                f"storage {storage.key!r}: tensor of size {size}, stride {stride}, offset {storage_offset} "
                f"needs element {last} but the storage holds {storage.numel}")
    flat = np.frombuffer(storage.raw, dtype=storage.stored_dtype)
    itemsize = flat.itemsize
    if numel:
        array = np.lib.stride_tricks.as_strided(
            flat[storage_offset:], shape=size, strides=tuple(s * itemsize for s in stride), writeable=False)
        array = np.array(array, copy=True)
    else:
        array = np.zeros(size, dtype=storage.stored_dtype)
    if storage.stored_dtype is np.uint16 and storage.result_dtype is np.float32:
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return Tensor(array.astype(storage.result_dtype, copy=False))


def _rebuild_parameter(data, requires_grad=True, backward_hooks=None, state=None):
    from .nn.parameter import Parameter
    if isinstance(data, _Pending):
        return _Pending(lambda: Parameter(data.build(), requires_grad=bool(requires_grad)))
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError("a parameter's data is not a tensor")
    return Parameter(data, requires_grad=bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data, requires_grad, backward_hooks)


_ALLOWED = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
}
_ALLOWED.update({("torch", name): _StorageType(name) for name in _STORAGE_DTYPES})


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, load_storage):
        super().__init__(file)
        self._load_storage = load_storage
        self._storages = {}

    def find_class(self, module, name):
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(
                f"refnn.load: refusing the global '{module}.{name}': only tensor state_dicts can be loaded "
                "(a checkpoint holding code or whole models is not accepted)")
        return found

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"refnn.load: unknown persistent id {pid!r}")
        storage_type, key = pid[1], str(pid[2])
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"refnn.load: storage {key!r} has an unsupported type")
        if key not in self._storages:
            self._storages[key] = _Storage(self._load_storage(key), storage_type, key)
        return self._storages[key]


def _load_zip(archive):
    names = archive.namelist()
    pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
    if len(pkl) != 1:
        raise RuntimeError("refnn.load: the archive has no single '<name>/data.pkl' record; "
                           "it is not a torch checkpoint")
    prefix = pkl[0][: -len("data.pkl")]
    present = set(names)

    def load_storage(key):
        record = f"{prefix}data/{key}"
        if record not in present:
            raise pickle.UnpicklingError(f"refnn.load: storage record {record!r} is missing from the archive")
        return archive.read(record)

    return _RestrictedUnpickler(io.BytesIO(archive.read(pkl[0])), load_storage).load()


def _load_legacy_stream(f):
    """The pre-1.6 format: magic, protocol, sys_info, the data pickle, the storage keys, raw storages."""
    def header_value():
        return _RestrictedUnpickler(f, _no_storage).load()

    try:
        magic = header_value()
    except Exception as exc:
        raise RuntimeError("refnn.load: not a torch checkpoint (neither a zip archive nor the legacy "
                           f"format): {exc}") from exc
    if magic != _LEGACY_MAGIC:
        raise RuntimeError("refnn.load: not a torch checkpoint (bad magic number)")
    header_value()                   # protocol version
    header_value()                   # sys_info
    unpickler = _RestrictedUnpickler(f, lambda key: None)
    result = unpickler.load()
    keys = header_value()
    if not isinstance(keys, list):
        raise pickle.UnpicklingError("refnn.load: malformed storage table")
    for key in keys:
        storage = unpickler._storages.get(str(key))
        if storage is None:
            raise pickle.UnpicklingError(f"refnn.load: storage table names unknown storage {key!r}")
        count_bytes = f.read(8)
        if len(count_bytes) != 8:
            raise pickle.UnpicklingError("refnn.load: truncated file (storage header)")
        (count,) = struct.unpack("<q", count_bytes)
        nbytes = count * np.dtype(storage.stored_dtype).itemsize
        if count < 0:
            raise pickle.UnpicklingError(f"refnn.load: storage {key!r} has a negative size")
        raw = f.read(nbytes)
        if len(raw) != nbytes:
            raise pickle.UnpicklingError(f"refnn.load: truncated file (storage {key!r})")
        storage.set_bytes(raw)
    missing = [k for k, st in unpickler._storages.items() if st.raw is None]
    if missing:
        raise pickle.UnpicklingError(f"refnn.load: storages {missing} have no data in the file")
    return _resolve(result)


def _no_storage(key):
    raise pickle.UnpicklingError("refnn.load: unexpected storage reference in a header")


def _resolve(obj):
    if isinstance(obj, _Pending):
        return obj.build()
    if isinstance(obj, dict):
        for k in list(obj):
            obj[k] = _resolve(obj[k])
        return obj
    if isinstance(obj, list):
        return [_resolve(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_resolve(v) for v in obj)
    return obj


def load(path, map_location=None, weights_only=True):
    """Load a tensor state_dict saved by ``torch.save`` (zip or legacy) or a ``.safetensors`` file.

    Returns an ``OrderedDict`` of refnn Tensors.  Never imports torch; refuses any
    pickled global that a state_dict does not need.
    """
    if isinstance(path, (str, os.PathLike)) and str(path).endswith(".safetensors"):
        return _load_safetensors(path)
    opened = open(path, "rb") if isinstance(path, (str, os.PathLike)) else path
    try:
        head = opened.read(8)
        opened.seek(0)
        if head.startswith(b"PK"):
            try:
                with zipfile.ZipFile(opened) as archive:
                    return _check_state(_load_zip(archive))
            except zipfile.BadZipFile as exc:
                raise RuntimeError(f"refnn.load: the file is a damaged or truncated zip archive ({exc})") from exc
        if _looks_like_safetensors(head):
            return _load_safetensors(path)
        return _check_state(_load_legacy_stream(opened))
    finally:
        if opened is not path:
            opened.close()


def _check_state(obj):
    if isinstance(obj, Tensor):
        return obj
    if not isinstance(obj, dict):
        raise RuntimeError(f"refnn.load: expected a state_dict (a dict of tensors), got {type(obj).__name__}")
    return obj


# ------------------------------------------------------------------ saving
class _Global:
    """A reference to a global by name, pickled as GLOBAL without importing its module."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pragma: no cover - only ever pickled
        raise TypeError("placeholder")


class _Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


class _StorageRef:
    def __init__(self, key, storage_name, numel):
        self.key, self.storage_name, self.numel = key, storage_name, numel


class _Pickler(pickle._Pickler):
    dispatch = dict(pickle._Pickler.dispatch)

    def save_placeholder_global(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_Global] = save_placeholder_global

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return ("storage", _storage_global(obj.storage_name), obj.key, "cpu", obj.numel)
        return None


_GLOBALS = {}


def _storage_global(name):
    return _GLOBALS.setdefault(("torch", name), _Global("torch", name))


def save(state_dict, path):
    """Write ``state_dict`` (name -> Tensor or array) as a torch zip checkpoint, or as
    ``.safetensors`` when the path ends with that suffix."""
    if str(path).endswith(".safetensors"):
        return _save_safetensors(state_dict, path)
    if not isinstance(state_dict, dict):
        raise TypeError(f"refnn.save: expected a dict of tensors, got {type(state_dict).__name__}")
    rebuild = _GLOBALS.setdefault(("torch._utils", "_rebuild_tensor_v2"),
                                  _Global("torch._utils", "_rebuild_tensor_v2"))
    ordered = _GLOBALS.setdefault(("collections", "OrderedDict"), _Global("collections", "OrderedDict"))
    records, items = [], []
    for key, value in state_dict.items():
        array = np.array(value.data if isinstance(value, Tensor) else value, order="C", copy=None)
        if array.dtype not in _DTYPE_TO_STORAGE:
            raise TypeError(f"refnn.save: {key!r} has dtype {array.dtype}, which has no torch storage type")
        storage = _StorageRef(str(len(records)), _DTYPE_TO_STORAGE[array.dtype], int(array.size))
        records.append(array.tobytes())
        stride = tuple(int(np.prod(array.shape[i + 1:], dtype=np.int64)) for i in range(array.ndim))
        hooks = _Reduce(ordered, ())
        items.append((key, _Reduce(rebuild, (storage, 0, tuple(array.shape), stride, False, hooks))))
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=2).dump(_Reduce(ordered, (items,)))
    name = os.path.splitext(os.path.basename(str(path)))[0] or "archive"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{name}/data.pkl", buffer.getvalue())
        archive.writestr(f"{name}/byteorder", "little")
        for i, raw in enumerate(records):
            archive.writestr(f"{name}/data/{i}", raw)
        archive.writestr(f"{name}/version", "3\n")
    return None


# ------------------------------------------------------------------ safetensors
def _looks_like_safetensors(head):
    if len(head) < 8:
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 2 <= n < (1 << 30)


def _load_safetensors(path):
    try:
        from safetensors.numpy import load_file
    except ImportError as exc:
        raise RuntimeError("refnn.load: reading .safetensors needs the optional 'safetensors' package "
                           "(pip install 'refnn[safetensors]')") from exc
    return OrderedDict((k, Tensor(np.array(v))) for k, v in load_file(str(path)).items())


def _save_safetensors(state_dict, path):
    try:
        from safetensors.numpy import save_file
    except ImportError as exc:
        raise RuntimeError("refnn.save: writing .safetensors needs the optional 'safetensors' package "
                           "(pip install 'refnn[safetensors]')") from exc
    save_file({k: np.array(v.data if isinstance(v, Tensor) else v, order="C", copy=None) for k, v in state_dict.items()},
              str(path))


def strip_prefix(state_dict, prefix="module."):
    """Drop a leading ``prefix`` from every key: load a DataParallel checkpoint into a plain model."""
    return OrderedDict((k[len(prefix):] if k.startswith(prefix) else k, v) for k, v in state_dict.items())
