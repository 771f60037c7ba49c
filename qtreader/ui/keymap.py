"""The user's key overrides ([keys] in config.toml), checked against the bindings.

Textual takes any text as a key and any id as a binding: a misspelt key name
silently lost the binding it was meant for, and a key taken from another binding (q
for Bookmark) silently took it away (q no longer quit). Each such override is said;
what is invalid is left out, so the default stays.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable

from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, Keys

MODIFIERS = frozenset({"ctrl", "alt", "shift", "super", "meta", "hyper"})


def _character_name(character: str) -> str:
    """A character's key name as Textual writes it ("/" is "slash"; textual.keys does
    the same with its own, private, function)."""
    name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name)


NAMED_KEYS = frozenset(k.value for k in Keys if "+" not in k.value and not k.value.startswith("<"))
CHARACTER_KEYS = frozenset(
    name
    for character in string.printable
    if character.isprintable() and not character.isspace()
    for name in (character, _character_name(character))
)


def key_is_valid(key: str) -> bool:
    """Whether ``key`` ("ctrl+k", "question_mark", "x,y") names keys Textual knows."""
    for one in key.split(","):
        *modifiers, name = one.strip().split("+")
        if not name or any(m not in MODIFIERS for m in modifiers):
            return False
        if len(modifiers) != len(set(modifiers)):
            return False
        if name not in NAMED_KEYS and name not in CHARACTER_KEYS:
            return False
    return True


def _keys(binding: Binding) -> set[str]:
    return {k.strip() for k in binding.key.split(",")}


def check_keymap(
    keymap: dict[str, str], bindings: Iterable[Binding]
) -> tuple[dict[str, str], list[str]]:
    """The overrides that can be used, and a warning for each that cannot or that takes
    a key from another binding."""
    by_id = {b.id: b for b in bindings if b.id}
    usable: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, key in keymap.items():
        binding = by_id.get(binding_id)
        if binding is None:
            warnings.append(f"keys: there is no binding '{binding_id}' (? lists them); ignored")
        elif not key_is_valid(key):
            warnings.append(
                f"keys.{binding_id}: '{key}' is not a key name; {binding.description} "
                f"keeps {binding.key_display or binding.key}"
            )
        else:
            usable[binding_id] = key
    for binding_id, key in usable.items():
        wanted = {k.strip() for k in key.split(",")}
        for other in by_id.values():
            if other.id == binding_id or other.id in usable:
                continue  # remapped too: its own keys are given up
            taken = wanted & _keys(other)
            if taken and other.description:
                warnings.append(
                    f"keys.{binding_id}: {', '.join(sorted(taken))} was the key for "
                    f"{other.description} ({other.id}); give that binding another key"
                )
    return usable, warnings
