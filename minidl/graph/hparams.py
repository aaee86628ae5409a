"""``tf.contrib.training.HParams``: a model's hyperparameters as named, typed values that a command line can
override::

    hparams = tf.contrib.training.HParams(learning_rate=0.1, num_layers=2, activation="relu", sizes=[64, 32])
    hparams.parse("learning_rate=0.3,sizes=[128,64]")    # e.g. the value of a --hparams flag
    hparams.learning_rate                                 # 0.3
    hparams.to_json()                                     # '{"learning_rate": 0.3, "num_layers": 2, ...}'

Each hyperparameter is an attribute of the object. Its *type* is fixed when it is added — the type of its value,
or for a list the type of the first element (the hyperparameter is then *multi-valued*) — and every later value
is converted to that type, or refused when that would change its meaning (see ``_cast``): a float hyperparameter
takes the int 1 as 1.0, but an int one refuses 1.5, and a bool refuses anything but a bool.

``parse`` reads ``name=value`` pairs separated by commas; a multi-valued hyperparameter takes ``name=[v1,v2]``.
Each value is parsed with the hyperparameter's type (``int("3")``, ``float("1e-3")``, ``str``), a bool from
``true``/``True``/``false``/``False`` or an integer (``1``, ``0``). Unknown names, malformed text and a name given
twice are ValueErrors.

Names that are already attributes of the object (``values``, ``parse``, ...) cannot be hyperparameters. TF's
protocol-buffer form (``hparam_def``, ``to_proto``) is not supported.
"""
import json
import numbers
import re
import types

# one ``name=value`` or ``name=[v1, v2, ...]`` clause, and the comma (or end of text) after it
_CLAUSE = re.compile(r"(?P<name>[a-zA-Z][\w.]*)\s*=\s*((?P<value>[^,\[]*)|\[(?P<values>[^\]]*)\])\s*($|,\s*)")


def _cast(name, param_type, value):
    """``value`` converted to the hyperparameter's ``param_type``, where that keeps its meaning: no number or bool
    becomes a string, no number becomes a bool nor a bool a number, no float becomes an int, no string becomes a
    number. Anything goes for a hyperparameter whose value was None. ValueError otherwise."""
    if type(value) is param_type or param_type is type(None):
        return value
    refused = (issubclass(param_type, (str, bytes)) and not isinstance(value, (str, bytes))
               or issubclass(param_type, bool) != isinstance(value, bool)
               or issubclass(param_type, numbers.Integral) and not isinstance(value, numbers.Integral)
               or issubclass(param_type, numbers.Number) and not isinstance(value, numbers.Number))
    if refused:
        raise ValueError(f"Could not cast hparam '{name}' of type '{param_type}' from value {value!r}")
    return param_type(value)


def _parse_bool(text):
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    return bool(int(text))  # "1", "0"; anything else is the caller's ValueError


def parse_values(values, type_map):
    """The ``name=value`` pairs of the string ``values`` as a dict {name: parsed value} (a list for ``[...]``),
    each parsed as ``type_map[name]`` says (module docstring). ValueError for malformed text, a name not in
    ``type_map``, a value that does not parse, or a name given twice."""
    parsed, position = {}, 0
    while position < len(values):
        match = _CLAUSE.match(values, position)
        if not match:
            raise ValueError(f"Malformed hyperparameter value: {values[position:]}")
        position = match.end()
        name = match.group("name")
        if name not in type_map:
            raise ValueError(f"Unknown hyperparameter type for {name}")
        if name in parsed:
            raise ValueError(f"Multiple assignments to variable '{name}' in {values}")
        param_type = type_map[name]
        parse = _parse_bool if param_type is bool else param_type
        single = match.group("value")
        text = single if single is not None else match.group("values")
        try:
            parsed[name] = parse(single) if single is not None else \
                [parse(item) for item in re.split("[ ,]", text) if item]
        except (ValueError, TypeError):
            raise ValueError(f"Could not parse hparam '{name}' of type '{param_type.__name__}' with value "
                             f"'{text}' in {values}") from None
    return parsed


class HParams:
    """Named hyperparameters, each an attribute, with the type its first value gave it (module docstring)."""

    def __init__(self, hparam_def=None, model_structure=None, **kwargs):
        if hparam_def is not None:
            raise NotImplementedError("HParams: hparam_def (TF's HParamDef protocol buffer) is not supported; pass "
                                      "the hyperparameters as keyword arguments")
        # name -> (type, is_list): the type of the value, or of a list's elements, and whether it is a list
        self._hparam_types = {}
        self._model_structure = model_structure
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name, value):
        """A new hyperparameter ``name`` whose type is that of ``value`` (of its first element for a list or tuple,
        which must not be empty). ValueError if ``name`` is taken: a method, or a hyperparameter with a value."""
        if getattr(self, name, None) is not None:
            raise ValueError(f"Hyperparameter name is reserved: {name}")
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(f"Multi-valued hyperparameters cannot be empty: {name}")
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name, value):
        """Give the existing hyperparameter ``name`` a new value, converted to its type (``_cast``); a list for a
        multi-valued one and only for it. KeyError for an unknown name, ValueError for a value that does not fit."""
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, list) != is_list:
            raise ValueError(f"Must pass a list for multi-valued parameter: {name}." if is_list else
                             f"Must not pass a list for single-valued parameter: {name}")
        setattr(self, name, [_cast(name, param_type, v) for v in value] if is_list else
                _cast(name, param_type, value))

    def del_hparam(self, name):
        """Remove the hyperparameter ``name`` (nothing happens if there is none)."""
        if name in self._hparam_types:
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values):
        """Override hyperparameters from a string of ``name=value`` pairs (module docstring); returns self."""
        types_by_name = {name: param_type for name, (param_type, _) in self._hparam_types.items()}
        return self.override_from_dict(parse_values(values, types_by_name))

    def override_from_dict(self, values_dict):
        """``set_hparam`` for each name and value of ``values_dict``; returns self."""
        for name, value in values_dict.items():
            self.set_hparam(name, value)
        return self

    def parse_json(self, values_json):
        """Override hyperparameters from a JSON object of names and values; returns self."""
        return self.override_from_dict(json.loads(values_json))

    def to_json(self, indent=None, separators=None, sort_keys=False):
        """The hyperparameters as a JSON object (``json.dumps``'s formatting arguments); callable values, which JSON
        cannot hold, are left out."""
        def without_callables(value):
            if isinstance(value, dict):
                return {k: without_callables(v) for k, v in value.items() if not callable(v)}
            if isinstance(value, list):
                return [without_callables(v) for v in value if not callable(v)]
            return value
        return json.dumps(without_callables(self.values()), indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def values(self):
        """The hyperparameters as a dict {name: value}."""
        return {name: getattr(self, name) for name in self._hparam_types}

    def get(self, key, default=None):
        """The value of hyperparameter ``key``, or ``default`` if there is none. A ``default`` that could not be a
        value of an existing ``key`` (a list for a single value, a string for a number, ...) is a ValueError."""
        if key not in self._hparam_types:
            return default
        if default is not None:
            param_type, is_list = self._hparam_types[key]
            try:
                if isinstance(default, list) != is_list:
                    raise ValueError("a list is needed for a list, and only for one")
                for value in default if is_list else [default]:
                    _cast(key, param_type, value)
            except ValueError as error:
                raise ValueError(f"Hparam '{key}' of type '{param_type}' is incompatible with default={default!r}. "
                                 f"{error}") from None
        return getattr(self, key)

    def set_model_structure(self, model_structure):
        self._model_structure = model_structure

    def get_model_structure(self):
        return self._model_structure

    def __contains__(self, key):
        return key in self._hparam_types

    def __str__(self):
        return str(sorted(self.values().items()))

    def __repr__(self):
        return f"{type(self).__name__}({self})"


training = types.SimpleNamespace(HParams=HParams)  # tf.contrib.training (its other parts are not in minidl)

__all__ = ["HParams"]
