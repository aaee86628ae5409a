"""``nn``: modules (layers), parameters, and the functional forms of the layers' ops."""
from .containers import ModuleDict, ModuleList, Sequential
from .module import Module
from .parameter import Parameter
