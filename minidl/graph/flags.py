"""``tf.app.flags`` (also ``tf.flags``): command-line flags the way TF1 scripts declare them, and ``tf.app.run``.

A TF1 training script declares its settings at the top::

    flags = tf.app.flags
    flags.DEFINE_integer("batch_size", 64, "examples per step")
    flags.DEFINE_boolean("fake_data", False, "use made-up data")
    FLAGS = flags.FLAGS

    def main(argv):
        ... FLAGS.batch_size ...

    if __name__ == "__main__":
        tf.app.run()          # app.py: parses the flags, then calls main

and is started with ``python train.py --batch_size=128 --fake_data``. TF1's flags are the absl-py library's;
this is a small version of the same rules:

* ``--name=value`` or ``--name value``; a boolean also as ``--name`` / ``--noname``; ``--`` ends the flags, and
  arguments that are not flags are kept, in order, for ``main(argv)`` (``argv[0]`` is the program);
* a flag nobody defined is an error (``UnrecognizedFlagError``; ``tf.app.run`` passes it on to ``main`` instead,
  as TF1's did), as is a value of the wrong type or out of its
  bounds (``IllegalFlagValueError``), or defining a name twice (``DuplicateFlagError``);
* reading ``FLAGS.name`` before anything parsed the command line parses ``sys.argv`` first, as TF1's wrapper did
  (in a notebook that meets the kernel's own ``-f`` argument: define a string flag ``f`` to accept it);
* ``flags.mark_flag_as_required("data_dir")`` (on a flag defined with the default None) makes parsing fail with
  ``IllegalFlagValueError`` when the command line leaves it out, as does setting it to None later.
"""
import sys
import warnings


class Error(Exception):
    """Base of the flag errors (absl's ``flags.Error``)."""


class DuplicateFlagError(Error):
    pass


class IllegalFlagValueError(Error):
    pass


class UnrecognizedFlagError(Error):
    pass


_TRUE, _FALSE = ("true", "t", "1", "yes", "y"), ("false", "f", "0", "no", "n")


class _Flag:
    """One declared flag: how to read its text, its default and its help."""

    def __init__(self, name, default, help, parse, kind):
        self.name, self.help, self.parse, self.kind = name, help, parse, kind
        self.default = None if default is None else self.convert(default)
        self.value = self.default

    def convert(self, value):
        """The flag's value from a command-line string (or from a Python value of the right kind)."""
        try:
            return self.parse(value)
        except (TypeError, ValueError) as error:
            raise IllegalFlagValueError(f"flag --{self.name}={value}: {error}") from None


class FlagValues:
    """All flags of the program (``FLAGS``): attributes read and set their values."""

    def __init__(self):
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_required", [])  # names of the flags mark_flag_as_required marked

    def _define(self, name, default, help, parse, kind):
        if name in self._flags:
            raise DuplicateFlagError(f"The flag '{name}' is defined twice.")
        self._flags[name] = _Flag(name, default, help, parse, kind)

    def __getattr__(self, name):
        flags = self.__dict__["_flags"]
        if name not in flags:
            raise AttributeError(name)
        if not self._parsed:
            self(sys.argv)  # TF1's wrapper parsed the command line on first use
        return flags[name].value

    def __setattr__(self, name, value):
        if name not in self._flags:
            raise AttributeError(f"no flag named {name!r}; define it first (DEFINE_string, DEFINE_integer, ...)")
        flag = self._flags[name]
        flag.value = None if value is None else flag.convert(value)
        self._check_required([name])

    def __contains__(self, name):
        return name in self._flags

    def __call__(self, argv, known_only=False):
        """Parse ``argv`` (``argv[0]`` is the program): set every flag given, return the other arguments — and,
        with ``known_only``, the flags nobody defined (``tf.app.run`` passes them on to ``main``)."""
        argv = list(argv)
        rest, args = argv[:1], iter(argv[1:])
        for arg in args:
            if arg == "--":
                rest.extend(args)
                break
            if not arg.startswith("-") or arg == "-":
                rest.append(arg)
                continue
            name, has_value, value = arg.lstrip("-").partition("=")
            flag = self._flags.get(name)
            if flag is None and name.startswith("no") and not has_value:
                flag = self._flags.get(name[2:])
                if flag is not None and flag.kind == "bool":
                    flag.value = False
                    continue
                flag = None
            if flag is None:
                if known_only:
                    rest.append(arg)
                    continue
                raise UnrecognizedFlagError(f"Unknown command line flag '{name}'")
            if not has_value:
                if flag.kind == "bool":
                    value = "true"
                else:
                    value = next(args, None)
                    if value is None:
                        raise IllegalFlagValueError(f"flag --{name}: expected a value after it")
            flag.value = flag.convert(value)
        object.__setattr__(self, "_parsed", True)
        self._check_required(self._required)
        return rest

    def _check_required(self, names):
        """absl's validator of a required flag: its value must not be None (it may be 0, False, "")."""
        for name in names:
            if name in self._required and self._flags[name].value is None:
                raise IllegalFlagValueError(f"flag --{name}=None: Flag --{name} must have a value other than None.")

    def is_parsed(self):
        return self._parsed

    def mark_as_parsed(self):
        object.__setattr__(self, "_parsed", True)

    def flag_values_dict(self):
        """``{name: value}`` of every flag."""
        return {name: flag.value for name, flag in self._flags.items()}

    def __dir__(self):
        return list(self._flags)


FLAGS = FlagValues()


def _bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError("expected true or false")


def _bounded(convert, lower, upper):
    def parse(value):
        number = convert(value)
        if (lower is not None and number < lower) or (upper is not None and number > upper):
            raise ValueError(f"{number} is outside [{lower}, {upper}]")
        return number
    return parse


def _integer(value):
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("expected an integer")
    return int(value)


def DEFINE_string(name, default, help, flag_values=FLAGS):
    flag_values._define(name, default, help, str, "string")


def DEFINE_integer(name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS):
    flag_values._define(name, default, help, _bounded(_integer, lower_bound, upper_bound), "int")


def DEFINE_float(name, default, help, lower_bound=None, upper_bound=None, flag_values=FLAGS):
    flag_values._define(name, default, help, _bounded(float, lower_bound, upper_bound), "float")


def DEFINE_boolean(name, default, help, flag_values=FLAGS):
    flag_values._define(name, default, help, _bool, "bool")


DEFINE_bool = DEFINE_boolean


def DEFINE_list(name, default, help, flag_values=FLAGS):
    """A comma-separated list of strings (``--gpus=0,1``); a Python list is taken as it is."""
    flag_values._define(name, default, help,
                        lambda v: list(v) if isinstance(v, (list, tuple)) else [s for s in str(v).split(",") if s],
                        "list")


def DEFINE_enum(name, default, enum_values, help, flag_values=FLAGS):
    def parse(value):
        if value not in enum_values:
            raise ValueError(f"value should be one of <{'|'.join(enum_values)}>")
        return value
    flag_values._define(name, default, help, parse, "enum")


def mark_flag_as_required(flag_name, flag_values=FLAGS):
    """Make parsing the command line (``tf.app.run``) fail with ``IllegalFlagValueError`` when the flag
    ``flag_name`` is left None — so define it with the default None: a flag with another default always has a value
    (absl warns about that, and so does this)."""
    if flag_name not in flag_values:
        raise AttributeError(f"mark_flag_as_required: no flag named {flag_name!r} is defined; define it first "
                             f"(DEFINE_string, DEFINE_integer, ...)")
    if flag_values._flags[flag_name].default is not None:
        warnings.warn(f"Flag --{flag_name} has a non-None default value; therefore, mark_flag_as_required will pass "
                      f"even if flag is not specified in the command line!", stacklevel=2)
    if flag_name not in flag_values._required:
        flag_values._required.append(flag_name)


def mark_flags_as_required(flag_names, flag_values=FLAGS):
    """``mark_flag_as_required`` for each name of ``flag_names``."""
    for flag_name in flag_names:
        mark_flag_as_required(flag_name, flag_values)
