"""Small immutable value classes, hand-written rather than `@dataclass(frozen=True)`: on this kind of machine a
frozen dataclass costs about a millisecond to build at import (each of its six generated methods is compiled),
and every cold `cost` command builds the estimate's and the optimizer's value classes."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy takes it as True
if TYPE_CHECKING:
    from typing import Any, Self


class Value:
    """An immutable value compared and hashed by `_compare` (all `_fields` unless narrowed), shown like a
    dataclass (the `_repr` fields, all unless narrowed). Subclasses list their fields and set them in `__init__`
    with `_set`."""

    __slots__ = ("__dict__",)
    _fields: tuple[str, ...] = ()
    _compare: tuple[str, ...] = ()
    _repr: tuple[str, ...] = ()

    def _set(self, **values: Any) -> None:
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[Any, ...]:
        d = self.__dict__
        return tuple(d[f] for f in (self._compare or self._fields))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Value)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        d = self.__dict__
        return f"{type(self).__qualname__}({', '.join(f'{f}={d[f]!r}' for f in self._repr or self._fields)})"

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (what dataclasses.replace does)."""
        unknown = set(changes) - set(self._fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new
