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
import pickletools
import struct
import zipfile
from collections import OrderedDict

import numpy as np

from ._shape import check_allocation
from ._C.core import _TensorBase
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
_LEGACY_PROTOCOL = 1001
_MAX_NDIM = 64


class _StorageType:
    def __init__(self, name):
        self.name = name


class _Storage:
    """Raw bytes of one storage and its element type."""

    def __init__(self, raw, storage_type, key, numel, big_endian=False):
        self.key = key
        self.type_name = storage_type.name
        self.stored_dtype, self.result_dtype = _STORAGE_DTYPES[storage_type.name]
        self.expected_numel = numel
        self.big_endian = big_endian
        self.raw = None
        if raw is not None:
            self.set_bytes(raw)

    def set_bytes(self, raw):
        """The record's bytes; their count must be what the pickle says the storage holds."""
        itemsize = np.dtype(self.stored_dtype).itemsize
        if len(raw) != self.expected_numel * itemsize:
            raise pickle.UnpicklingError(
                f"storage {self.key!r}: the record holds {len(raw)} bytes, but the checkpoint describes "
                f"{self.expected_numel} {self.type_name} elements ({self.expected_numel * itemsize} bytes)")
        if self.big_endian and itemsize > 1:
            raw = np.frombuffer(raw, dtype=np.dtype(self.stored_dtype).newbyteorder(">")).astype(
                self.stored_dtype).tobytes()
        self.raw = raw
        self.numel = self.expected_numel


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
    # a zero stride lets a tiny storage describe a huge tensor: refuse before copying it out
    check_allocation(f"refnn.load: storage {storage.key!r}", size, np.dtype(storage.result_dtype).itemsize)
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


# the opcodes torch.save's pickles use (protocols 2 to 4); out-of-band buffers and bytearrays (protocol 5),
# and the class-instantiating INST/OBJ/NEWOBJ opcodes, are refused before anything is unpickled
_ALLOWED_OPCODES = frozenset("""
    PROTO FRAME STOP MARK POP POP_MARK DUP GLOBAL STACK_GLOBAL REDUCE BUILD BINPERSID
    BINPUT LONG_BINPUT MEMOIZE PUT BINGET LONG_BINGET GET
    NONE NEWTRUE NEWFALSE BININT BININT1 BININT2 LONG1 LONG4 INT LONG BINFLOAT FLOAT
    BINUNICODE SHORT_BINUNICODE BINUNICODE8 UNICODE SHORT_BINSTRING BINSTRING STRING
    SHORT_BINBYTES BINBYTES BINBYTES8
    EMPTY_TUPLE TUPLE TUPLE1 TUPLE2 TUPLE3 EMPTY_LIST APPEND APPENDS LIST
    EMPTY_DICT DICT SETITEM SETITEMS
""".split())


def _scan_pickle(stream):
    """Walk one pickle's opcodes without executing them (from the stream's position through STOP).

    A length field larger than the bytes that follow, a bad UTF-8 string or an opcode a state_dict does
    not need is refused here, so the unpickler only ever runs well-formed input.
    """
    try:
        for opcode, arg, position in pickletools.genops(stream):
            if opcode.name == "GLOBAL":            # named in the opcode: refuse a foreign one by name
                _allowed_global(*arg.partition(" ")[::2])
            if opcode.name not in _ALLOWED_OPCODES:
                raise pickle.UnpicklingError(
                    f"refnn.load: refusing pickle opcode {opcode.name} at byte {position}: a tensor state_dict "
                    "does not use it")
    except pickle.UnpicklingError:
        raise
    except Exception as exc:  # noqa: BLE001 - every way genops can find the bytes malformed
        raise pickle.UnpicklingError(f"refnn.load: malformed pickle data ({type(exc).__name__}: {exc})") from None


def _unpickle(stream, load_storage, big_endian=False):
    """Scan, then unpickle, one pickle from ``stream`` (an in-memory file)."""
    start = stream.tell()
    _scan_pickle(stream)
    stream.seek(start)
    return _RestrictedUnpickler(stream, load_storage, big_endian).load()


def _allowed_global(module, name):
    found = _ALLOWED.get((module, name))
    if found is None:
        raise pickle.UnpicklingError(
            f"refnn.load: refusing the global '{module}.{name}': only tensor state_dicts can be loaded "
            "(a checkpoint holding code or whole models is not accepted)")
    return found


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, load_storage, big_endian=False):
        super().__init__(file)
        self._load_storage = load_storage
        self._big_endian = big_endian
        self._storages = {}

    def find_class(self, module, name):
        return _allowed_global(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise pickle.UnpicklingError(f"refnn.load: unknown persistent id {pid!r}")
        storage_type, key, location, numel = pid[1], str(pid[2]), pid[3], pid[4]
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"refnn.load: storage {key!r} has an unsupported type")
        if not isinstance(location, str) or location.partition(":")[0] not in _DEVICES:
            raise pickle.UnpicklingError(f"refnn.load: storage {key!r} has an unknown device {location!r}")
        if type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError(f"refnn.load: storage {key!r} has an invalid size {numel!r}")
        if key not in self._storages:
            self._storages[key] = _Storage(self._load_storage(key), storage_type, key, numel, self._big_endian)
        return self._storages[key]


# where a storage lived when saved; refnn reads them all into host memory
_DEVICES = frozenset(("cpu", "cuda", "mps", "xpu", "hpu", "privateuseone"))


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

    byteorder = archive.read(f"{prefix}byteorder").strip() if f"{prefix}byteorder" in present else b"little"
    if byteorder not in (b"little", b"big"):
        raise RuntimeError(f"refnn.load: unknown byte order {byteorder[:20]!r} in the archive")
    return _unpickle(io.BytesIO(archive.read(pkl[0])), load_storage, byteorder == b"big")


def _load_legacy_stream(f):
    """The pre-1.6 format: magic, protocol, sys_info, the data pickle, the storage keys, raw storages."""
    def header_value():
        return _unpickle(f, _no_storage)

    try:
        magic = header_value()
    except Exception as exc:
        raise RuntimeError("refnn.load: not a torch checkpoint (neither a zip archive nor the legacy "
                           f"format): {exc}") from exc
    if magic != _LEGACY_MAGIC:
        raise RuntimeError("refnn.load: not a torch checkpoint (bad magic number)")
    if header_value() != _LEGACY_PROTOCOL:
        raise RuntimeError("refnn.load: unsupported legacy-format protocol version")
    sys_info = header_value()
    big_endian = isinstance(sys_info, dict) and not sys_info.get("little_endian", True)
    start = f.tell()
    _scan_pickle(f)
    f.seek(start)
    unpickler = _RestrictedUnpickler(f, lambda key: None, big_endian)
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
        (count,) = struct.unpack(">q" if big_endian else "<q", count_bytes)
        nbytes = count * np.dtype(storage.stored_dtype).itemsize
        if count < 0:
            raise pickle.UnpicklingError(f"refnn.load: storage {key!r} has a negative size")
        if nbytes > len(f.getbuffer()) - f.tell():
            raise pickle.UnpicklingError(f"refnn.load: truncated file (storage {key!r} claims {nbytes} bytes)")
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
        with _corruption_as_error("a damaged safetensors file"):
            return _load_safetensors(path)
    opened = open(path, "rb") if isinstance(path, (str, os.PathLike)) else path
    try:
        head = opened.read(8)
        opened.seek(0)
        if head.startswith(b"PK"):
            with _corruption_as_error("a damaged or truncated zip archive"):
                with zipfile.ZipFile(opened) as archive:
                    return _check_state(_load_zip(archive))
        if _looks_like_safetensors(head):
            with _corruption_as_error("a damaged safetensors file"):
                return _load_safetensors(opened)
        # the legacy format is read into memory once: every length in it is then checked against the bytes
        # that are really there before anything is allocated for it
        with _corruption_as_error("a damaged legacy-format checkpoint"):
            return _check_state(_load_legacy_stream(io.BytesIO(opened.read())))
    finally:
        if opened is not path:
            opened.close()


class _corruption_as_error:
    """Any failure while parsing (zip structure, pickle, sizes, memory) becomes a clear exception: refnn's
    refusals (UnpicklingError, RuntimeError) and the operating system's (OSError: no such file...) pass
    through; anything else is re-raised as a RuntimeError that names the kind of file and the original
    error."""

    def __init__(self, what):
        self.what = what

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, (pickle.UnpicklingError, OSError)) or (
                type(exc) is RuntimeError and str(exc).startswith("refnn.load")):
            return False
        raise RuntimeError(f"refnn.load: the file is {self.what} ({type(exc).__name__}: {exc})") from exc


def _check_state(obj):
    """A dict (or a lone tensor); every tensor in it must hold a NumPy array of a checkpoint dtype."""
    if not isinstance(obj, (dict, Tensor)):
        raise RuntimeError(f"refnn.load: expected a state_dict (a dict of tensors), got {type(obj).__name__}")
    _check_tensors(obj, 0)
    return obj


def _check_tensors(obj, depth):
    if depth > 64:
        raise RuntimeError("refnn.load: the state_dict nests deeper than 64 levels")
    if isinstance(obj, Tensor):
        data = _TensorBase.data.__get__(obj)     # the field itself, whatever a subclass defines
        if type(data) is not np.ndarray or data.dtype not in _RESULT_DTYPES:
            raise RuntimeError(f"refnn.load: a tensor in the file was rebuilt with invalid data "
                               f"({type(data).__name__})")
    elif isinstance(obj, dict):
        for value in obj.values():
            _check_tensors(value, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            _check_tensors(value, depth + 1)


_RESULT_DTYPES = {np.dtype(result) for _, result in _STORAGE_DTYPES.values()}


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


def _load_safetensors(source):
    """A path, or an open binary file positioned at the start."""
    try:
        from safetensors.numpy import load, load_file
    except ImportError as exc:
        raise RuntimeError("refnn.load: reading .safetensors needs the optional 'safetensors' package "
                           "(pip install 'refnn[safetensors]')") from exc
    arrays = load_file(str(source)) if isinstance(source, (str, os.PathLike)) else load(source.read())
    return OrderedDict((k, Tensor(np.array(v))) for k, v in arrays.items())


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
