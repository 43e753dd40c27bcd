"""Turning what HDF5 and the properties files hold into plain, typed Python values."""
import re

import numpy as np

from . import schema

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan)", re.IGNORECASE)


def text(value):
    """A string value as str, whether h5py gives bytes (fixed-length strings) or str (UTF-8)."""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    if isinstance(value, np.str_):
        return str(value)
    return value


def plain(value):
    """An attribute value as a plain Python value: str for strings, int/float/bool for numpy
    scalars, lists for arrays (strings decoded), never bytes."""
    if isinstance(value, (bytes, np.bytes_, np.str_)):
        return text(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return plain(value[()])
        return [plain(v) for v in value.tolist()] if value.dtype.kind in "SUO" else value.tolist()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _number(t):
    if _INT.fullmatch(t):
        return int(t)
    if _FLOAT.fullmatch(t):
        return float(t)
    raise ValueError(t)


def guess(value):
    """Types the text of a config value whose key this package does not know: true/false, an int,
    a float, a comma-separated list of numbers, or else the text itself."""
    value = plain(value)
    if not isinstance(value, str):
        return value
    t = value.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    try:
        return _number(t)
    except ValueError:
        pass
    if "," in t:
        try:
            return [_number(p.strip()) for p in t.split(",")]
        except ValueError:
            pass
    return value


def _as_bool(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    raise ValueError(v)


def _as_int(v):
    if isinstance(v, (bool, np.bool_)):
        raise ValueError(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return int(v)
    if isinstance(v, str) and _INT.fullmatch(v.strip()):
        return int(v.strip())
    raise ValueError(v)


def _as_float(v):
    if isinstance(v, (bool, np.bool_)):
        raise ValueError(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str) and _FLOAT.fullmatch(v.strip()):
        return float(v.strip())
    raise ValueError(v)


def to_bool(value):
    """A yes/no value stored as 0/1, true/false or a boolean, as bool; anything else unchanged."""
    try:
        return _as_bool(value)
    except ValueError:
        return value


def _as_list(v, element):
    if isinstance(v, (list, tuple)):
        return [element(e) for e in v]
    if isinstance(v, str):
        t = v.strip()
        return [] if t == "" else [element(p.strip()) for p in t.split(",")]
    return [element(v)]


_CONVERT = {
    schema.INT: _as_int,
    schema.FLOAT: _as_float,
    schema.BOOL: _as_bool,
    schema.STR: lambda v: v if isinstance(v, str) else str(v),
    schema.AUTO_OR_FLOAT: lambda v: "auto" if isinstance(v, str) and v.strip().lower() == "auto" else _as_float(v),
    schema.WORD_OR_INT: lambda v: v.strip().lower() if isinstance(v, str) and v.strip().isalpha() else _as_int(v),
    schema.FLOAT_LIST: lambda v: _as_list(v, _as_float),
    schema.INT_LIST: lambda v: _as_list(v, _as_int),
}


def config_value(key, value):
    """A config value typed by the key's type in schema.CONFIG_TYPES; a key not there, or a value
    that does not fit its type (a file from another version of detrain), is typed by its look."""
    value = plain(value)
    kind = schema.CONFIG_TYPES.get(key)
    if kind is None:
        return guess(value)
    try:
        return _CONVERT[kind](value)
    except (ValueError, TypeError):
        return guess(value)


def hashable(value):
    """A value fit for a DataFrame column one can group by: lists become tuples."""
    return tuple(value) if isinstance(value, list) else value


def read_properties(path):
    """A Java .properties file (key = value or key=value lines, # or ! comments, backslash
    escapes and continuation lines) as a dict of str."""
    out = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    pending = None  # a logical line continued on the next physical one
    for line in lines:
        stripped = line.lstrip(" \t\f")
        if pending is None and (not stripped or stripped[0] in "#!"):
            continue
        joined = (pending or "") + stripped
        if (len(joined) - len(joined.rstrip("\\"))) % 2 == 1:  # an odd number of backslashes: it goes on
            pending = joined[:-1]
            continue
        pending = None
        key, value = _split_property(joined)
        out[_unescape(key)] = _unescape(value)
    if pending is not None:
        key, value = _split_property(pending)
        out[_unescape(key)] = _unescape(value)
    return out


def _split_property(entry):
    """Key and value of one logical line: the key ends at the first unescaped '=', ':' or blank."""
    i = 0
    while i < len(entry) and entry[i] not in "=: \t\f":
        i += 2 if entry[i] == "\\" else 1
    key = entry[:i]
    rest = entry[i:].lstrip(" \t\f")
    if rest[:1] in ("=", ":"):
        rest = rest[1:].lstrip(" \t\f")
    return key, rest


def _unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", s[i + 2:i + 6]):
                out.append(chr(int(s[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append({"n": "\n", "t": "\t", "r": "\r", "f": "\f"}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)
