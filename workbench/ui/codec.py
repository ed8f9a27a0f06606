"""JSON for analysis results that outlive a page (the big-run worker's output), instead of pickle.

Loading a pickle runs whatever code the file names; this codec only rebuilds workbench's own dataclasses
and pydantic models, pandas frames, numpy arrays and plain values. A file naming any other type is
rejected (CodecError), so a planted file can at worst show wrong numbers in a folder only this user can
write to anyway (workbench.ui.private_files).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import json
import math
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

ALLOWED_MODULES = ("workbench.",)


class CodecError(ValueError):
    pass


def _qualname(obj: type) -> str:
    return f"{obj.__module__}:{obj.__qualname__}"


def _resolve(name: str) -> type:
    module, _, qualname = str(name).partition(":")
    if not module.startswith(ALLOWED_MODULES) or not qualname or "<" in qualname:
        raise CodecError(f"refusing to rebuild type {name!r}")
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part, None)
    if not isinstance(target, type):
        raise CodecError(f"unknown type {name!r}")
    return target


def _float(value: float) -> Any:
    if math.isnan(value):
        return {"__f__": "nan"}
    if math.isinf(value):
        return {"__f__": "inf" if value > 0 else "-inf"}
    return value


def encode(obj: Any) -> Any:
    """A JSON-able tree for `obj`."""
    if obj is None or (isinstance(obj, bool | str | int) and not isinstance(obj, enum.Enum)):
        return obj
    if isinstance(obj, float):
        return _float(obj)
    if isinstance(obj, enum.Enum):
        return {"__enum__": _qualname(type(obj)), "v": encode(obj.value)}
    if isinstance(obj, np.generic):
        return encode(obj.item())
    if isinstance(obj, np.ndarray):
        return {"__nd__": [encode(v) for v in obj.tolist()], "dtype": str(obj.dtype)}
    if isinstance(obj, pd.DataFrame):
        return {"__df__": [encode(c) for c in obj.columns], "index": _encode_index(obj.index),
                "cols": [encode(obj[c].tolist()) for c in obj.columns], "dtypes": [str(t) for t in obj.dtypes]}
    if isinstance(obj, pd.Series):
        return {"__series__": encode(obj.tolist()), "index": _encode_index(obj.index), "name": encode(obj.name),
                "dtype": str(obj.dtype)}
    if isinstance(obj, dt.datetime):
        return {"__dt__": obj.isoformat()}
    if isinstance(obj, dt.date):
        return {"__date__": obj.isoformat()}
    if isinstance(obj, BaseModel):
        return {"__model__": _qualname(type(obj)), "v": obj.model_dump(mode="json")}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"__dc__": _qualname(type(obj)),
                "v": {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(v) for v in obj]}
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, set | frozenset):
        return {"__set__": [encode(v) for v in obj]}
    if isinstance(obj, dict):
        return {"__dict__": [[encode(k), encode(v)] for k, v in obj.items()]}
    raise CodecError(f"cannot store a {type(obj).__name__} as JSON")


def decode(tree: Any) -> Any:
    if isinstance(tree, list):
        return [decode(v) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "__f__" in tree:
        return float(tree["__f__"])
    if "__enum__" in tree:
        return _resolve(tree["__enum__"])(decode(tree["v"]))
    if "__nd__" in tree:
        return np.array(decode(tree["__nd__"]), dtype=np.dtype(str(tree["dtype"])))
    if "__df__" in tree:
        columns = [_hashable(decode(c)) for c in tree["__df__"]]
        frame = pd.DataFrame(
            {i: pd.Series(decode(col), dtype=_dtype(dtype)) for i, (col, dtype) in
             enumerate(zip(tree["cols"], tree["dtypes"], strict=True))},
            index=_index(tree["index"]),
        )
        frame.columns = pd.Index(columns) if columns else frame.columns
        return frame
    if "__series__" in tree:
        return pd.Series(decode(tree["__series__"]), index=_index(tree["index"]),
                         name=decode(tree["name"]), dtype=_dtype(tree["dtype"]))
    if "__dt__" in tree:
        return dt.datetime.fromisoformat(tree["__dt__"])
    if "__date__" in tree:
        return dt.date.fromisoformat(tree["__date__"])
    if "__model__" in tree:
        model = _resolve(tree["__model__"])
        if not issubclass(model, BaseModel):
            raise CodecError(f"{tree['__model__']} is not a model")
        return model.model_validate(tree["v"])
    if "__dc__" in tree:
        cls = _resolve(tree["__dc__"])
        if not dataclasses.is_dataclass(cls):
            raise CodecError(f"{tree['__dc__']} is not a dataclass")
        obj = object.__new__(cls)  # no __init__/__post_init__: the stored field values, nothing else
        values = tree["v"]
        for f in dataclasses.fields(cls):
            if f.name in values:
                object.__setattr__(obj, f.name, decode(values[f.name]))
        return obj
    if "__tuple__" in tree:
        return tuple(decode(v) for v in tree["__tuple__"])
    if "__set__" in tree:
        return {decode(v) for v in tree["__set__"]}
    if "__dict__" in tree:
        return {_hashable(decode(k)): decode(v) for k, v in tree["__dict__"]}
    raise CodecError("unknown JSON shape")


def _dtype(name: str) -> Any:
    """A dtype by name, restricted to pandas/numpy data types (None lets pandas infer it)."""
    try:
        return pd.api.types.pandas_dtype(name)
    except TypeError:
        return None


def _encode_index(index: pd.Index) -> Any:
    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step]}
    return {"values": encode(index.tolist()), "dtype": str(index.dtype)}


def _index(tree: dict[str, Any]) -> pd.Index:
    if "range" in tree:
        start, stop, step = (int(v) for v in tree["range"])
        return pd.RangeIndex(start, stop, step)
    return pd.Index([_hashable(v) for v in decode(tree["values"])], dtype=_dtype(str(tree["dtype"])))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def dumps(obj: Any) -> bytes:
    return json.dumps(encode(obj), separators=(",", ":"), allow_nan=False).encode("utf-8")


def loads(data: bytes) -> Any:
    return decode(json.loads(data.decode("utf-8")))
