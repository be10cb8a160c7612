"""The round-trip YAML tree of claims.yaml: turning models into ruamel nodes and updating an existing tree in
place, so that comments, key order and quoting survive a rewrite (used by synth.claims.document)."""

from __future__ import annotations

from typing import Any

from synth.core.models import Claim
from synth.core.yamlio import compact, is_empty


def claim_plain(claim: Claim) -> dict:
    """A claim as the plain data the file shows (empty fields left out)."""
    return compact(claim.model_dump(mode="json", by_alias=True))


def to_node(value: Any) -> Any:
    """Plain data → ruamel round-trip containers."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = to_node(v)
        return node
    if isinstance(value, list):
        seq = CommentedSeq()
        seq.extend(to_node(v) for v in value)
        return seq
    return value


def merge_node(node: Any, new: Any) -> Any:
    """Update a round-trip node in place to equal `new`, keeping comments and quoting where values are equal."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and isinstance(new, dict):
        for key in [k for k in node if k not in new and not is_empty(node[k])]:
            del node[key]  # keys a person wrote as empty (`sources: []`) stay: they mean the same thing
        order = list(new)
        for key, value in new.items():
            if key in node:
                node[key] = merge_node(node[key], value)
            else:
                # insert at the canonical position relative to the keys already there
                pos = sum(1 for k in node if k in order and order.index(k) < order.index(key))
                node.insert(pos, key, to_node(value))
        return node
    if isinstance(node, CommentedSeq) and isinstance(new, list):
        del node[len(new):]
        for i, value in enumerate(new):
            if i < len(node):
                node[i] = merge_node(node[i], value)
            else:
                node.append(to_node(value))
        return node
    if type(node) is not bool and type(new) is not bool and node == new and not isinstance(node, (dict, list)):
        return node  # keep the original scalar object (its quoting style)
    return to_node(new)


def item_line(seq: Any, index: int) -> int | None:
    """1-based line of a sequence item as loaded; None for items added since (they have no position yet)."""
    try:
        return seq.lc.item(index)[0] + 1
    except (TypeError, KeyError, AttributeError):
        return None
