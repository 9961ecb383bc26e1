"""A mypy plugin: calling a factory-boy factory, ``TrackFactory(...)``, gives the model it makes, ``Track``.

factory-boy 3.3 types ``TrackFactory.create()`` through its generic (``DjangoModelFactory[Track]``), but the call on
the class goes through its metaclass's ``__call__``, which mypy does not read
(https://github.com/python/mypy/issues/14122), so mypy types ``TrackFactory()`` as a ``TrackFactory``. This plugin
gives such a call the type argument of ``factory.base.BaseFactory`` instead. A factory declared without one keeps
mypy's own answer.
"""

from collections.abc import Callable

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, Plugin
from mypy.types import AnyType, Instance, Type, get_proper_type

BASE_FACTORY = "factory.base.BaseFactory"


def factory_product(ctx: FunctionContext) -> Type:
    """The model a factory call returns, read from the factory's ``BaseFactory[Model]`` base."""
    made = get_proper_type(ctx.default_return_type)
    if not isinstance(made, Instance):
        return ctx.default_return_type
    base = next(info for info in made.type.mro if info.fullname == BASE_FACTORY)
    (product,) = map_instance_to_supertype(made, base).args
    if isinstance(get_proper_type(product), AnyType):
        return ctx.default_return_type
    return product


class FactoryBoyPlugin(Plugin):
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        # mypy asks this hook about calls to classes too, by the class's full name.
        symbol = self.lookup_fully_qualified(fullname)
        if symbol is not None and isinstance(symbol.node, TypeInfo) and symbol.node.has_base(BASE_FACTORY):
            return factory_product
        return None


def plugin(version: str) -> type[Plugin]:
    return FactoryBoyPlugin
