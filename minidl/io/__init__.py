"""Reading and writing arrays safely: a file format with no pickle, written atomically."""
from .array_file import ArrayFileError, check_kind, read_arrays, write_arrays

__all__ = ["ArrayFileError", "check_kind", "read_arrays", "write_arrays"]
